package dev.steward.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.steward.protocol.Client;
import dev.steward.protocol.Frame;
import dev.steward.protocol.FrameReader;
import dev.steward.protocol.FrameWriter;
import dev.steward.protocol.Messages;
import dev.steward.protocol.RpcConnection;
import java.io.InputStream;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Apps through the HTTP API and the gateway; the runlist and restarts; broken frames on every port an app opens. */
class AppDoorsTest extends AgentTestBase {
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    HttpResponse<String> post(String url, String body, Map<String, String> headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (url.startsWith(agent.base)) agent.authorized(b).header("Content-Type", "application/octet-stream");
        headers.forEach(b::header);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private com.fasterxml.jackson.databind.JsonNode awaitApp(String name, java.util.function.Predicate<com.fasterxml.jackson.databind.JsonNode> condition) {
        long end = System.nanoTime() + 10_000_000_000L;
        com.fasterxml.jackson.databind.JsonNode a = agent.get("/v1/apps/" + name);
        while (!condition.test(a)) {
            assertThat(System.nanoTime()).as("app " + name + " now: " + a).isLessThan(end);
            TestAgent.sleep(20);
            a = agent.get("/v1/apps/" + name);
        }
        return a;
    }

    /** Sends a request on a connection of its own and hangs up without waiting for the answer. */
    private void postAndLeave(int port, String path) throws Exception {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
            s.getOutputStream().write(("POST " + path + " HTTP/1.1\r\n" + heads() + "Content-Length: 5\r\n\r\nnever").getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            TestAgent.sleep(100); // long enough for the request to be read whole before the close
        }
    }

    @Test
    void eventsOfHttpClientsThatHungUpWhileTheyWaitedAreDroppedNotRun() throws Exception {
        TestApps.run(agent, "lone", "{\"pool-limit\": 1, \"concurrency\": 1}", Map.of());
        var busy = http.sendAsync(agent.request("/v1/apps/lone/slow").header("Content-Type", "application/octet-stream").POST(HttpRequest.BodyPublishers.ofString("2.5")).build(),
                HttpResponse.BodyHandlers.ofString());
        awaitApp("lone", a -> a.path("sessions").path("pending").asInt() == 1);
        postAndLeave(agent.agent().apiPort(), "/v1/apps/lone/echo");
        postAndLeave(URI.create(agent.gateway).getPort(), "/lone/echo");
        var a = awaitApp("lone", x -> x.path("abandoned").asInt() == 2);
        assertThat(a.path("queue").path("depth").asInt()).isZero();
        assertThat(busy.get().body()).isEqualTo("done");
        assertThat(post(agent.gateway + "/lone/echo", "still here", Map.of()).body()).isEqualTo("still here");
        assertThat(agent.get("/v1/apps/lone").path("served").asInt()).as("the two that hung up never reached the worker").isEqualTo(2);
    }

    /** How many MiB the flooding worker has written so far. */
    private static int written(Path progress) throws Exception {
        return java.nio.file.Files.exists(progress) ? Integer.parseInt(java.nio.file.Files.readString(progress).trim()) : 0;
    }

    /**
     * Sends {@code request} on a socket of its own, reads its first bytes, then reads nothing for
     * 1.5 s: how far the worker got meanwhile. Then reads the rest (to the end of the connection, or
     * with {@code frames} to the stream's choke); how many bytes there were.
     */
    private static long[] readSlowly(int port, byte[] request, Path progress, FrameReader frames) throws Exception {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
            s.setSoTimeout(30_000);
            s.getOutputStream().write(request);
            InputStream in = s.getInputStream();
            byte[] buf = new byte[1 << 16];
            long total = 0;
            long stalledAt = 0;
            boolean ended = false;
            for (int n; !ended && (n = in.read(buf)) > 0; ) {
                if (total == 0) {
                    TestAgent.sleep(1500);
                    stalledAt = written(progress);
                }
                total += n;
                if (frames != null) ended = frames.feed(buf, 0, n).stream().anyMatch(f -> f.message() == Messages.CHOKE || f.message() == Messages.ERROR);
            }
            return new long[] {stalledAt, total};
        }
    }

    static final long FLOOD_MIB = 128;

    @Test
    void aSlowReaderHoldsTheWorkerInsteadOfFillingTheAgentsMemory() throws Exception {
        TestApps.run(agent, "flood", "{}", Map.of());
        RpcConnection.Resolved app;
        try (RpcConnection locator = new RpcConnection("127.0.0.1", agent.agent().rpcPort())) {
            app = locator.resolve("flood", Duration.ofSeconds(5));
        }
        Path dir = java.nio.file.Files.createTempDirectory("flood");
        int door = 0;
        for (String name : List.of("tcp", "api", "gateway")) {
            Path progress = dir.resolve("progress-" + door++);
            byte[] data = (FLOOD_MIB + " " + progress).getBytes(StandardCharsets.UTF_8);
            long[] r = switch (name) {
                case "tcp" -> readSlowly(app.port(), FrameWriter.encode(new Frame(Messages.ENQUEUE, 1,
                        List.of(FrameWriter.text("flood"), FrameWriter.bytes(data)))), progress, new FrameReader());
                case "api" -> readSlowly(agent.agent().apiPort(), http("/v1/apps/flood/flood", data), progress, null);
                default -> readSlowly(URI.create(agent.gateway).getPort(), http("/flood/flood", data), progress, null);
            };
            assertThat(r[0]).as(name + ": MiB the worker wrote while its reader read nothing").isLessThan(FLOOD_MIB / 3);
            assertThat(r[1]).as(name + ": bytes read in all").isGreaterThan(FLOOD_MIB << 20);
            assertThat(written(progress)).isEqualTo((int) FLOOD_MIB);
        }
    }

    @Test
    void aReaderThatTakesNothingForTheHeartbeatTimeoutIsCutAndTheWorkerGoesOn() throws Exception {
        TestApps.run(agent, "stall", "{\"pool-limit\": 1, \"concurrency\": 2, \"heartbeat-timeout\": 2}", Map.of());
        Path progress = java.nio.file.Files.createTempDirectory("stall").resolve("progress");
        try (java.net.Socket never = new java.net.Socket("127.0.0.1", agent.agent().apiPort());
             Client c = Client.connect("127.0.0.1", agent.agent().rpcPort(), Duration.ofSeconds(20))) {
            never.getOutputStream().write(http("/v1/apps/stall/flood", (FLOOD_MIB + " " + progress).getBytes(StandardCharsets.UTF_8)));
            // held for good once the buffers between it and the reader are full: the worker writes no more
            long deadline = System.nanoTime() + 20_000_000_000L;
            for (int before = -1; ; ) {
                int now = written(progress);
                boolean held = agent.get("/v1/apps/stall").path("workers").path(0).path("held-by-slow-readers").asInt() == 1;
                if (held && now == before && now > 0) break;
                assertThat(System.nanoTime()).as("the worker never stayed held").isLessThan(deadline);
                before = now;
                TestAgent.sleep(300);
            }
            long t0 = System.nanoTime();
            // the same worker's other session waits behind the reader that takes nothing, until it is cut
            assertThat(new String(c.app("stall").enqueue("echo", "behind".getBytes()).readAll())).isEqualTo("behind");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("waited for the cut (2 s after the hold began, seen up to 0.6 s late)").isBetween(Duration.ofMillis(1000), Duration.ofSeconds(10));
            never.setSoTimeout(10_000);
            InputStream in = never.getInputStream();
            long got = 0;
            for (int n; (n = in.read(new byte[1 << 16])) > 0; ) got += n;
            assertThat(got).as("the cut reader's stream ends short").isLessThan(FLOOD_MIB << 20);
            assertThat(agent.get("/v1/apps/stall").path("state").asText()).isEqualTo("running");
        }
    }

    /** The headers of a raw request that the API takes (and the gateway ignores). */
    private String heads() {
        return "Host: 127.0.0.1\r\nAuthorization: Bearer " + agent.token + "\r\nContent-Type: application/octet-stream\r\n";
    }

    private byte[] http(String path, byte[] body) {
        byte[] head = ("POST " + path + " HTTP/1.1\r\n" + heads() + "Connection: close\r\nContent-Length: " + body.length + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        byte[] all = java.util.Arrays.copyOf(head, head.length + body.length);
        System.arraycopy(body, 0, all, head.length, body.length);
        return all;
    }

    @Test
    void theHttpApiEnqueuesAndStreamsTheReply() throws Exception {
        TestApps.run(agent, "echo", "{\"queue-limit\": 1, \"pool-limit\": 1, \"concurrency\": 1}", Map.of());
        HttpResponse<String> r = post(agent.base + "/v1/apps/echo/echo", "hello", Map.of());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("hello");
        // the stream arrives as it is written: the first line is read before the worker has finished
        HttpResponse<InputStream> s = http.send(agent.request("/v1/apps/echo/stream")
                .header("Content-Type", "application/octet-stream").POST(HttpRequest.BodyPublishers.ofString("1000")).build(), HttpResponse.BodyHandlers.ofInputStream());
        String all = new String(s.body().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(all.lines().count()).isEqualTo(1000);
        assertThat(all).startsWith("0\n1\n2\n").endsWith("998\n999\n");
        HttpResponse<String> failed = post(agent.base + "/v1/apps/echo/fail", "", Map.of());
        assertThat(failed.statusCode()).isEqualTo(500);
        assertThat(failed.body()).contains("ValueError: bad input");
        assertThat(post(agent.base + "/v1/apps/echo/echo?timeout=soon", "", Map.of()).body()).contains("timeout: 'soon' is not a duration");
        assertThat(post(agent.base + "/v1/apps/nope/echo", "", Map.of()).statusCode()).isEqualTo(409);
        HttpResponse<String> huge = http.send(agent.request("/v1/apps/echo/echo")
                .header("Content-Type", "application/octet-stream").POST(HttpRequest.BodyPublishers.ofByteArray(new byte[(16 << 20) + 1])).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(huge.statusCode()).isEqualTo(413);
        // one busy, one waiting: the next is refused with 503
        var busy = http.sendAsync(agent.request("/v1/apps/echo/slow").header("Content-Type", "application/octet-stream").POST(HttpRequest.BodyPublishers.ofString("1")).build(),
                HttpResponse.BodyHandlers.ofString());
        awaitApp("echo", a -> a.path("sessions").path("pending").asInt() == 1);
        var queued = http.sendAsync(agent.request("/v1/apps/echo/echo").header("Content-Type", "application/octet-stream").POST(HttpRequest.BodyPublishers.ofString("q")).build(),
                HttpResponse.BodyHandlers.ofString());
        awaitApp("echo", a -> a.path("queue").path("depth").asInt() == 1);
        HttpResponse<String> full = post(agent.base + "/v1/apps/echo/echo", "x", Map.of());
        assertThat(full.statusCode()).isEqualTo(503);
        assertThat(full.body()).contains("the queue is full");
        assertThat(busy.get().body()).isEqualTo("done");
        assertThat(queued.get().body()).isEqualTo("q");
        // a running app cannot be removed, nor its profile
        assertThat(agent.call("DELETE", "/v1/apps/echo", null).status()).isEqualTo(409);
        assertThat(agent.call("DELETE", "/v1/profiles/echo", null).status()).isEqualTo(409);
        assertThat(agent.get("/v1/apps").get(0).path("state").asText()).isEqualTo("running");
        assertThat(agent.ok("DELETE", "/v1/running/echo", null).path("result").asText()).isEqualTo("the app has been stopped");
        assertThat(agent.get("/v1/apps/echo").path("state").asText()).isEqualTo("stopped");
    }

    @Test
    void theGatewayMapsAppAndEventToAnEnqueue() throws Exception {
        TestApps.run(agent, "echo", "{}", Map.of());
        HttpResponse<String> r = post(agent.gateway + "/echo/echo", "through the gateway", Map.of());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("through the gateway");
        HttpResponse<String> s = http.send(HttpRequest.newBuilder(URI.create(agent.gateway + "/echo/stream")).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(s.body().lines().count()).isEqualTo(1000);
        HttpResponse<String> pinned = post(agent.gateway + "/echo/whoami", "", Map.of("X-Steward-Tag", "w7"));
        assertThat(pinned.body()).isEqualTo("w7");
        assertThat(post(agent.gateway + "/echo/fail", "", Map.of()).statusCode()).isEqualTo(500);
        assertThat(post(agent.gateway + "/echo/slow", "2", Map.of("X-Steward-Timeout", "300ms")).statusCode()).isEqualTo(504);
        assertThat(post(agent.gateway + "/echo", "", Map.of()).body()).contains("takes events as /echo/EVENT");
        assertThat(post(agent.gateway + "/echo/echo", "", Map.of("X-Steward-Timeout", "later")).statusCode()).isEqualTo(400);
        assertThat(post(agent.gateway + "/nothing/echo", "", Map.of()).statusCode()).isEqualTo(404);
        try (java.net.Socket raw = new java.net.Socket("127.0.0.1", agent.agent().gatewayPort())) { // no client sends it: by hand
            raw.getOutputStream().write("POST /echo/%zz HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            raw.setSoTimeout(5000);
            String answer = new String(raw.getInputStream().readNBytes(300), StandardCharsets.ISO_8859_1);
            assertThat(answer).startsWith("HTTP/1.1 400").contains("not a well-formed path");
        }
        assertThat(post(agent.gateway + "/echo/no%20such", "", Map.of()).body()).contains("no handler for event 'no such'");
        byte[] tooBig = new byte[(16 << 20) + 1];
        HttpResponse<String> big = http.send(HttpRequest.newBuilder(URI.create(agent.gateway + "/echo/echo"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(tooBig)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(big.statusCode()).isEqualTo(413);
        // keep-alive goes on after an app call: many on one connection
        for (int i = 0; i < 20; i++) assertThat(post(agent.gateway + "/echo/echo", "n" + i, Map.of()).body()).isEqualTo("n" + i);
    }

    @Test
    void followingAnAppsLogsShowsWorkersStartedSince() throws Exception {
        TestApps.run(agent, "echo", "{}", Map.of());
        List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (java.io.InputStream in = agent.follow("/v1/apps/echo/logs?follow=true", lines)) {
            assertThat(post(agent.base + "/v1/apps/echo/echo", "wake up", Map.of()).statusCode()).isEqualTo(200);
            TestAgent.awaitLine(lines, " starting"); // the first worker's first line, labelled with its id
            assertThat(lines).anyMatch(l -> l.matches("\\[[0-9a-f-]{36}\\] worker [0-9a-f-]{36} starting"));
        }
    }

    @Test
    void theRunlistAndRunningAppsStartAgainWithTheAgent() throws Exception {
        TestApps.upload(agent, "listed", Map.of());
        TestApps.profile(agent, "p", "{}");
        agent.ok("PUT", "/v1/runlist/listed", "p");
        TestApps.run(agent, "started", "{}", Map.of());
        agent.close();
        agent = TestAgent.start(tmp.resolve("data"));
        try (Client c = Client.connect("127.0.0.1", agent.agent().rpcPort(), Duration.ofSeconds(20))) {
            assertThat(c.list()).containsExactly("listed", "started");
            assertThat(new String(c.app("listed").enqueue("echo", "a".getBytes()).readAll())).isEqualTo("a");
            assertThat(new String(c.app("started").enqueue("echo", "b".getBytes()).readAll())).isEqualTo("b");
            c.pauseApp(List.of("started"));
        }
        agent.close();
        agent = TestAgent.start(tmp.resolve("data"));
        try (Client c = Client.connect("127.0.0.1", agent.agent().rpcPort(), Duration.ofSeconds(20))) {
            assertThat(c.list()).as("a paused app stays paused").containsExactly("listed");
        }
    }

    @Test
    void brokenFramesCloseOnlyTheirConnectionOnEveryPort() throws Exception {
        TestApps.run(agent, "echo", "{}", Map.of());
        try (Client c = Client.connect("127.0.0.1", agent.agent().rpcPort(), Duration.ofSeconds(20));
             RpcConnection locator = new RpcConnection("127.0.0.1", agent.agent().rpcPort())) {
            assertThat(new String(c.app("echo").enqueue("echo", "warm".getBytes()).readAll())).isEqualTo("warm");
            for (String service : List.of("node", "echo", "logging", "locator")) {
                RpcConnection.Resolved r = locator.resolve(service, Duration.ofSeconds(5));
                try (RpcConnection bad = new RpcConnection(r.host(), r.port())) {
                    RpcConnection.Call err = bad.listen(0);
                    bad.write(HexFormat.of().parseHex("93cc03")); // half a frame...
                    bad.write(HexFormat.of().parseHex("0101")); // ...whose session is fine but whose args are not an array
                    assertThat(err.next(Duration.ofSeconds(5)).toString()).as(service).contains("protocol error");
                    long deadline = System.nanoTime() + 5_000_000_000L;
                    while (!bad.closed() && System.nanoTime() < deadline) TestAgent.sleep(10);
                    assertThat(bad.closed()).as(service + " closes the broken connection").isTrue();
                }
                // wrong argument types get an invocation error, and the connection stays
                try (RpcConnection ok = new RpcConnection(r.host(), r.port())) {
                    RpcConnection.Call wrong = ok.call(0, org.msgpack.value.ValueFactory.newInteger(5));
                    assertThat(wrong.next(Duration.ofSeconds(5)).toString()).as(service).contains("Error[code=1");
                    assertThat(ok.closed()).isFalse();
                }
            }
            // the worker socket: a stranger's handshake is refused, a worker's broken frame closes only it
            Path socket = tmp.resolve("data/run/apps/echo.sock");
            try (SocketChannel stranger = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
                stranger.write(ByteBuffer.wrap(FrameWriter.encode(new Frame(Messages.HANDSHAKE, 0, List.of(FrameWriter.text("not-a-worker"))))));
                List<Frame> got = readFrames(stranger);
                assertThat(got.get(0).message()).isEqualTo(Messages.ERROR);
            }
            try (SocketChannel garbage = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
                garbage.write(ByteBuffer.wrap(HexFormat.of().parseHex("c1c1c1")));
                assertThat(readFrames(garbage).get(0).args().toString()).contains("protocol error");
            }
            assertThat(new String(c.app("echo").enqueue("echo", "still".getBytes()).readAll())).isEqualTo("still");
        }
    }

    /** Frames until the other side closes. */
    static List<Frame> readFrames(SocketChannel ch) throws Exception {
        FrameReader reader = new FrameReader();
        java.util.ArrayList<Frame> out = new java.util.ArrayList<>();
        ByteBuffer buf = ByteBuffer.allocate(4096);
        while (ch.read(buf.clear()) > 0) out.addAll(reader.feed(buf.flip()));
        return out;
    }
}
