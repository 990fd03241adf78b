package dev.steward.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What flows through the gateway: large bodies both ways, server-sent events, WebSocket, timeouts, bad requests. */
class GatewayTrafficTest extends AgentTestBase {
    static final long GIB = 1L << 30;
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    Path work;
    int port;

    @BeforeEach
    void upstream() throws Exception {
        work = Files.createDirectories(tmp.resolve("w"));
        try (InputStream in = getClass().getResourceAsStream("/upstream.py")) {
            Files.write(work.resolve("upstream.py"), in.readAllBytes());
        }
        port = Integer.parseInt(agent.gateway.substring(agent.gateway.lastIndexOf(':') + 1));
    }

    void register(String name, String extra) {
        agent.register("name: " + name + "\ndir: " + work + "\ncommand: [python3, upstream.py]\nping: {http: /ping}\n" + extra);
        agent.awaitState(name, "available");
    }

    /** The requests the instance received, in order, without the agent's readiness pings (which go on meanwhile). */
    String seen() throws Exception {
        Path p = work.resolve("seen.log");
        if (!Files.exists(p)) return "";
        StringBuilder out = new StringBuilder();
        for (String line : Files.readAllLines(p)) {
            if (!line.equals("GET /ping")) out.append(line).append('\n');
        }
        return out.toString();
    }

    /** Netty's buffer memory in this JVM (the agent's gateway runs here), sampled while {@code work} runs: the peak. */
    static long peakBuffers(ThrowingRunnable work) throws Exception {
        // the gateway's channels take their buffers from its own allocator; the rest of the agent from Netty's default
        var gateway = dev.steward.agent.gateway.Gateway.ALLOCATOR.metric();
        var metric = ((ByteBufAllocatorMetricProvider) ByteBufAllocator.DEFAULT).metric();
        AtomicLong peak = new AtomicLong();
        AtomicBoolean done = new AtomicBoolean();
        Thread sampler = Thread.ofPlatform().start(() -> {
            while (!done.get()) {
                long used = gateway.usedDirectMemory() + gateway.usedHeapMemory() + metric.usedDirectMemory() + metric.usedHeapMemory();
                peak.accumulateAndGet(used, Math::max);
                TestAgent.sleep(5);
            }
        });
        try {
            work.run();
        } finally {
            done.set(true);
            sampler.join();
        }
        return peak.get();
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    /**
     * A request held while its service starts goes to the new instance as soon as the instance is ready, and not
     * before: after the first passed ping when one is enough, after three when the ping asks for three in a row.
     */
    @Test
    void aHeldRequestGoesOutOnlyOnceThePingsThatMakeTheInstanceReadyPassed() throws Exception {
        for (int successes : new int[] {1, 3}) {
            String name = "held" + successes;
            agent.register("name: " + name + "\ndir: " + work + "\ncommand: [python3, upstream.py]\npolicy: on-demand\n"
                    + "ping: {http: /ping, successes: " + successes + "}\n");
            agent.awaitState(name, "stopped");
            Files.deleteIfExists(work.resolve("seen.log"));
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(agent.gateway + "/" + name + "/first")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            List<String> lines = Files.readAllLines(work.resolve("seen.log"));
            int first = lines.indexOf("GET /first");
            assertThat(first).as("%s", lines).isGreaterThanOrEqualTo(successes);
            assertThat(lines.subList(0, first)).as("before the request").containsOnly("GET /ping");
            agent.awaitState(name, "stopped");
        }
    }

    @Test
    void aGibibyteStreamsUpAndDownWithBoundedMemory() throws Exception {
        register("big", "route: {max-body: 2Gi}\n");
        long up = peakBuffers(() -> {
            HttpURLConnection c = (HttpURLConnection) URI.create(agent.gateway + "/big/upload").toURL().openConnection();
            c.setDoOutput(true);
            c.setRequestMethod("POST");
            c.setFixedLengthStreamingMode(GIB);
            byte[] block = new byte[1 << 20];
            try (OutputStream out = c.getOutputStream()) {
                for (int i = 0; i < 1024; i++) out.write(block);
            }
            assertThat(c.getResponseCode()).isEqualTo(200);
            try (InputStream in = c.getInputStream()) {
                assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo(Long.toString(GIB));
            }
        });
        long down = peakBuffers(() -> {
            HttpURLConnection c = (HttpURLConnection) URI.create(agent.gateway + "/big/download?bytes=" + GIB).toURL().openConnection();
            assertThat(c.getResponseCode()).isEqualTo(200);
            assertThat(c.getContentLengthLong()).isEqualTo(GIB);
            long total = 0;
            byte[] buf = new byte[1 << 16];
            try (InputStream in = c.getInputStream()) {
                for (int n; (n = in.read(buf)) > 0; ) total += n;
            }
            assertThat(total).isEqualTo(GIB);
        });
        assertThat(up).as("buffer memory while uploading 1 GiB").isBetween(1L, 64L << 20);
        assertThat(down).as("buffer memory while downloading 1 GiB").isBetween(1L, 64L << 20);
    }

    @Test
    void aSlowReaderSlowsTheInstanceInsteadOfFillingTheGatewaysMemory() throws Exception {
        register("slowread", "");
        long peak = peakBuffers(() -> {
            HttpURLConnection c = (HttpURLConnection) URI.create(agent.gateway + "/slowread/download?bytes=" + (256L << 20)).toURL().openConnection();
            long total = 0;
            byte[] buf = new byte[1 << 16];
            try (InputStream in = c.getInputStream()) {
                TestAgent.sleep(1500); // the instance writes 256 MiB far faster than this reader takes it
                for (int n; (n = in.read(buf)) > 0; ) total += n;
            }
            assertThat(total).isEqualTo(256L << 20);
        });
        assertThat(peak).isBetween(1L, 32L << 20);
    }

    @Test
    void serverSentEventsArriveAsTheyAreSent() throws Exception {
        register("events", "");
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            long t0 = System.nanoTime();
            s.getOutputStream().write("GET /events/sse HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String got = readUntil(s.getInputStream(), "data: one");
            long firstMs = (System.nanoTime() - t0) / 1_000_000;
            assertThat(got).startsWith("HTTP/1.1 200").containsIgnoringCase("content-type: text/event-stream")
                    .containsIgnoringCase("transfer-encoding: chunked");
            assertThat(firstMs).as("the first event, sent 3 s before the second").isLessThan(2000);
            assertThat(readUntil(s.getInputStream(), "data: two")).contains("data: two");
        }
    }

    static String readUntil(InputStream in, String marker) throws Exception {
        StringBuilder sb = new StringBuilder();
        byte[] buf = new byte[4096];
        while (!sb.toString().contains(marker)) {
            int n = in.read(buf);
            if (n < 0) break;
            sb.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
        }
        return sb.toString();
    }

    @Test
    void aWebSocketEchoesThroughTheGateway() throws Exception {
        register("sock", "");
        List<String> got = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> two = new CompletableFuture<>();
        WebSocket ws = http.newWebSocketBuilder().buildAsync(URI.create("ws://127.0.0.1:" + port + "/sock/ws"), new WebSocket.Listener() {
            StringBuilder part = new StringBuilder();

            @Override
            public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                part.append(data);
                if (last) {
                    got.add(part.toString());
                    part = new StringBuilder();
                    if (got.size() == 2) two.complete(null);
                }
                w.request(1);
                return null;
            }
        }).get(10, TimeUnit.SECONDS);
        ws.sendText("hello", true).get(5, TimeUnit.SECONDS);
        ws.sendText("x".repeat(100_000), true).get(5, TimeUnit.SECONDS);
        two.get(10, TimeUnit.SECONDS);
        assertThat(got.get(0)).isEqualTo("hello");
        assertThat(got.get(1)).hasSize(100_000);
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
        // the gateway still serves plain requests afterwards
        assertThat(http.send(HttpRequest.newBuilder(URI.create(agent.gateway + "/sock/after")).build(), HttpResponse.BodyHandlers.ofString())
                .statusCode()).isEqualTo(200);
    }

    @Test
    void anInstanceSlowerThanTheRouteTimeoutGives504() throws Exception {
        register("late", "route: {timeout: 500ms}\n");
        long t0 = System.nanoTime();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(agent.gateway + "/late/slow?s=3")).build(),
                HttpResponse.BodyHandlers.ofString());
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(r.statusCode()).isEqualTo(504);
        assertThat(Json.tree(r.body()).path("error").asText()).contains("did not answer within 500ms");
        assertThat(ms).isBetween(450L, 2500L);
        assertThat(http.send(HttpRequest.newBuilder(URI.create(agent.gateway + "/late/quick")).build(), HttpResponse.BodyHandlers.ofString())
                .statusCode()).isEqualTo(200);
    }

    @Test
    void aRouteMayKeepItsPrefix() throws Exception {
        register("keep", "route: {path: /kept, strip: false}\n");
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(agent.gateway + "/kept/a?b=1")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).startsWith("/kept/a?b=1\n");
    }

    @Test
    void everyBadRequestIsAnsweredByTheGatewayAndNeverReachesTheInstance() throws Exception {
        register("guard", "route: {max-body: 1Ki}\n");
        assertThat(raw("NONSENSE\r\n\r\n")).startsWith("HTTP/1.1 400");
        assertThat(raw("GET /guard/no-host HTTP/1.1\r\n\r\n")).startsWith("HTTP/1.1 400");
        assertThat(raw("GET /guard/long-uri-" + "u".repeat(10_000) + " HTTP/1.1\r\nHost: h\r\n\r\n")).startsWith("HTTP/1.1 414");
        assertThat(raw("GET /guard/big-headers HTTP/1.1\r\nHost: h\r\nX-Big: " + "a".repeat(20_000) + "\r\n\r\n")).startsWith("HTTP/1.1 431");
        assertThat(raw("POST /guard/too-long HTTP/1.1\r\nHost: h\r\nContent-Length: 2048\r\n\r\n" + "b".repeat(2048)))
                .startsWith("HTTP/1.1 413");
        String chunk = Integer.toHexString(800) + "\r\n" + "c".repeat(800) + "\r\n";
        assertThat(raw("POST /guard/too-long-chunked HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk + chunk + "0\r\n\r\n"))
                .startsWith("HTTP/1.1 413");
        assertThat(raw("GET /guard/bad-header HTTP/1.1\r\nHost: h\r\nBad Header: x\r\n\r\n")).startsWith("HTTP/1.1 400");
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.getOutputStream().write("GET /guard/cut-in-half HTTP/1.1\r\nHost: h\r\nX-Half".getBytes(StandardCharsets.US_ASCII));
        }
        // and after all of them, a good request still goes through
        assertThat(raw("GET /guard/fine HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")).startsWith("HTTP/1.1 200");
        String seen = seen();
        assertThat(seen).contains("GET /fine").doesNotContain("no-host", "long-uri", "big-headers", "too-long", "bad-header", "cut-in-half");
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrderOnOneConnection() throws Exception {
        register("piped", "");
        String three = "GET /piped/1 HTTP/1.1\r\nHost: h\r\n\r\n"
                + "POST /piped/2 HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello"
                + "GET /piped/3 HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n";
        String all;
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(three.getBytes(StandardCharsets.ISO_8859_1));
            all = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1); // until the gateway closes after the third
        }
        String[] answers = all.split("(?=HTTP/1\\.1 )");
        assertThat(answers).hasSize(3);
        assertThat(answers[0]).startsWith("HTTP/1.1 200").contains("x-steward-instance: ").contains("\r\n\r\n/1\n");
        assertThat(answers[1]).startsWith("HTTP/1.1 200").endsWith("\r\n\r\n5");
        assertThat(answers[2]).startsWith("HTTP/1.1 200").containsIgnoringCase("connection: close").contains("\r\n\r\n/3\n");
        assertThat(seen()).contains("GET /1\nPOST /2\nGET /3\n");
    }

    @Test
    void aChunkedRequestsTrailersReachTheInstanceButNotThoseTheGatewayDecidesOn() throws Exception {
        register("trail", "");
        String request = "POST /trail/t HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nTrailer: X-Checksum\r\nConnection: close\r\n\r\n"
                + "5\r\nhello\r\n6\r\n world\r\n0\r\nX-Checksum: abc123\r\nX-Steward-Instance: forged\r\nContent-Length: 99\r\n\r\n";
        String all;
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            all = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1); // until the gateway closes
        }
        assertThat(all).startsWith("HTTP/1.1 200");
        assertThat(all.substring(all.indexOf("\r\n\r\n") + 4)).as("the data, then the trailers the instance read")
                .isEqualTo("hello world\nX-Checksum: abc123\r\n");
        // a trailer that is no header line is refused, as a header line would be
        assertThat(raw("POST /trail/bad HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n0\r\nNo colon here\r\n\r\n"))
                .startsWith("HTTP/1.1 400");
        // and the next request is served as before
        assertThat(raw("GET /trail/fine HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")).startsWith("HTTP/1.1 200");
    }

    /** Sends {@code request} as is over a new connection; the status line of the answer. */
    String raw(String request) throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(5000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            String all = new String(s.getInputStream().readNBytes(64), StandardCharsets.ISO_8859_1);
            int eol = all.indexOf("\r\n");
            return eol < 0 ? all : all.substring(0, eol);
        }
    }
}
