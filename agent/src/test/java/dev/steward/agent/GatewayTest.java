package dev.steward.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Routing by path and host, instance headers, forwarded headers, scale from zero, and the errors. */
class GatewayTest extends AgentTestBase {
    /** Answers every GET with the request line and headers it got, on $PORT. */
    static final String ECHO = """
            import http.server, os, time
            class H(http.server.BaseHTTPRequestHandler):
                def do_GET(self):
                    if self.path.startswith('/slow'): time.sleep(1.5)
                    body = (self.path + '\\n' + ''.join(k.lower() + ': ' + v + '\\n' for k, v in self.headers.items())).encode()
                    self.send_response(200); self.send_header('Content-Length', str(len(body))); self.end_headers(); self.wfile.write(body)
                def log_message(self, *a): pass
            class S(http.server.ThreadingHTTPServer):
                request_queue_size = 2048
            S(('127.0.0.1', int(os.environ['PORT'])), H).serve_forever()
            """;
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    Path work;

    @BeforeEach
    void echo() throws Exception {
        work = Files.createDirectories(tmp.resolve("w"));
        Files.writeString(work.resolve("echo.py"), ECHO);
    }

    HttpResponse<String> get(String path, String host) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(agent.gateway + path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A GET with a Host header of our choosing (the JDK client will not send one), over a raw socket: the body. */
    String getWithHost(String path, String host) throws Exception {
        int port = Integer.parseInt(agent.gateway.substring(agent.gateway.lastIndexOf(':') + 1));
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
            s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            String all = new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertThat(all).startsWith("HTTP/1.1 200");
            return all.substring(all.indexOf("\r\n\r\n") + 4);
        }
    }

    String echoSpec(String name, String extra) {
        return "name: " + name + "\ndir: " + work + "\ncommand: [python3, echo.py]\nping: {http: /}\n" + extra;
    }

    @Test
    void aPathPrefixReachesTheServiceWithForwardedHeadersAndTheInstanceNamed() throws Exception {
        agent.register(echoSpec("echo", ""));
        JsonNode i = agent.awaitState("echo", "available").path("instances").get(0);
        HttpResponse<String> r = get("/echo/some/path?q=1", null);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).startsWith("/some/path?q=1\n");
        assertThat(r.body()).contains("x-forwarded-for: 127.0.0.1", "x-forwarded-proto: http", "x-forwarded-host: 127.0.0.1:");
        assertThat(r.headers().firstValue("x-steward-instance")).contains(i.path("id").asText());
    }

    @Test
    void heldRequestsAreBoundedInNumberAndTime() throws Exception {
        agent.close();
        System.setProperty("steward.gateway.hold", "1s");
        System.setProperty("steward.gateway.max-held", "2");
        try {
            agent = TestAgent.start(tmp.resolve("data2"));
        } finally {
            System.clearProperty("steward.gateway.hold");
            System.clearProperty("steward.gateway.max-held");
        }
        agent.register("name: never\ncommand: [sleep, \"600\"]\npolicy: on-demand\nping: {exec: [\"false\"], interval: 100ms}\n");
        long t0 = System.nanoTime();
        List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
        for (int n = 0; n < 3; n++) {
            all.add(http.sendAsync(HttpRequest.newBuilder(URI.create(agent.gateway + "/never/" + n)).build(), HttpResponse.BodyHandlers.ofString()));
            TestAgent.sleep(100);
        }
        HttpResponse<String> third = all.get(2).join();
        assertThat(third.statusCode()).isEqualTo(503);
        assertThat(Json.tree(third.body()).path("error").asText()).contains("2 requests already wait");
        assertThat((System.nanoTime() - t0) / 1_000_000).as("the third is refused at once").isLessThan(900);
        for (int n = 0; n < 2; n++) {
            HttpResponse<String> r = all.get(n).join();
            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(r.headers().firstValue("retry-after")).isPresent();
            assertThat(Json.tree(r.body()).path("error").asText()).contains("did not become ready within 1s");
        }
        assertThat((System.nanoTime() - t0) / 1_000_000).isBetween(900L, 5000L);
    }

    @Test
    void hopByHopHeadersStopAtTheGateway() throws Exception {
        agent.register(echoSpec("hops", ""));
        agent.awaitState("hops", "available");
        int port = Integer.parseInt(agent.gateway.substring(agent.gateway.lastIndexOf(':') + 1));
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
            s.getOutputStream().write(("GET /hops/h HTTP/1.1\r\nHost: x\r\nConnection: close, X-Secret\r\nX-Secret: 1\r\n"
                    + "Keep-Alive: timeout=5\r\nProxy-Authorization: Basic Zm9vOmJhcg==\r\nTE: trailers\r\nX-Kept: yes\r\n\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            String all = new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            String body = all.substring(all.indexOf("\r\n\r\n") + 4);
            assertThat(body).contains("x-kept: yes").doesNotContain("x-secret", "keep-alive:", "proxy-authorization", "te: trailers");
            assertThat(all).containsIgnoringCase("connection: close");
        }
    }

    @Test
    void aHostNameReachesTheServiceWithThePathKept() throws Exception {
        agent.register(echoSpec("named", "route: {host: named.example.test}\n"));
        agent.awaitState("named", "available");
        assertThat(getWithHost("/x/y", "named.localhost")).startsWith("/x/y\n");
        assertThat(getWithHost("/z", "named.example.test")).startsWith("/z\n");
    }

    @Test
    void unknownServicesAnswer404AndStoppedOnes503WithRetryAfter() throws Exception {
        HttpResponse<String> none = get("/nothing/here", null);
        assertThat(none.statusCode()).isEqualTo(404);
        assertThat(Json.tree(none.body()).path("error").asText()).contains("/nothing/here");
        agent.register(echoSpec("down", ""));
        agent.awaitState("down", "available");
        agent.ok("POST", "/v1/services/down/stop", null);
        agent.awaitState("down", "stopped");
        HttpResponse<String> r = get("/down/", null);
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.headers().firstValue("retry-after")).isPresent();
        assertThat(Json.tree(r.body()).path("error").asText()).contains("down");
    }

    @Test
    void manyRequestsToAServiceAtZeroStartItOnceAndAllAreAnswered() throws Exception {
        agent.register(echoSpec("cold", "policy: on-demand\n"));
        assertThat(agent.service("cold").path("state").asText()).isEqualTo("stopped");
        List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
        for (int n = 0; n < 1000; n++) {
            all.add(http.sendAsync(HttpRequest.newBuilder(URI.create(agent.gateway + "/cold/req" + n)).build(), HttpResponse.BodyHandlers.ofString()));
        }
        for (int n = 0; n < all.size(); n++) {
            HttpResponse<String> r = all.get(n).join();
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(r.body()).startsWith("/req" + n + "\n");
        }
        JsonNode v = agent.service("cold");
        assertThat(v.path("statistics").path("starts").asInt()).isEqualTo(1);
        // Every request was a reference; with all answered, none is left and the on-demand service stops.
        agent.awaitState("cold", "stopped");
    }

    /**
     * busybox httpd listens with a backlog of 9 and closes each connection after its response: the held requests
     * go to it over as many connections as it takes at once, the rest waiting in the gateway, not in its backlog.
     */
    @Test
    void aThousandRequestsToAProgramWithASmallBacklogAtZeroAreAllAnswered() throws Exception {
        Path www = Files.createDirectories(work.resolve("www"));
        Files.writeString(www.resolve("index.html"), "small backlog\n");
        agent.register("name: tiny\ndir: " + work + "\ncommand: [busybox, httpd, -f, -p, \"127.0.0.1:${PORT}\", -h, www]\n"
                + "policy: on-demand\nping: {tcp: true}\n");
        assertThat(agent.service("tiny").path("state").asText()).isEqualTo("stopped");
        List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
        for (int n = 0; n < 1000; n++) {
            all.add(http.sendAsync(HttpRequest.newBuilder(URI.create(agent.gateway + "/tiny/index.html")).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        java.util.Map<Integer, Integer> statuses = new java.util.TreeMap<>();
        for (CompletableFuture<HttpResponse<String>> f : all) {
            HttpResponse<String> r = f.join();
            statuses.merge(r.statusCode(), 1, Integer::sum);
            if (r.statusCode() == 200) assertThat(r.body()).isEqualTo("small backlog\n");
        }
        assertThat(statuses).isEqualTo(java.util.Map.of(200, 1000));
        // Held requests share a start. On a busy machine the client's thousand connections may reach the gateway in
        // waves, and an on-demand service stops as soon as no request holds it: a wave may then start it again (seen
        // once in a full run: 2 starts). A start per request or per connection would be hundreds.
        assertThat(agent.service("tiny").path("statistics").path("starts").asInt()).isBetween(1, 3);
        agent.awaitState("tiny", "stopped");
    }

    /** One connection opened at a time: slow answers hold the others back for a moment only, and every request is answered. */
    @Test
    void requestsPastMaxConnectingWaitInTheGatewayAndAreAllAnswered() throws Exception {
        agent.register(echoSpec("narrow", "route: {max-connecting: 1}\n"));
        agent.awaitState("narrow", "available");
        HttpClient fresh = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
        for (int n = 0; n < 6; n++) {
            String path = n % 2 == 0 ? "/narrow/slow" + n : "/narrow/fast" + n;
            all.add(fresh.sendAsync(HttpRequest.newBuilder(URI.create(agent.gateway + path)).build(), HttpResponse.BodyHandlers.ofString()));
        }
        for (int n = 0; n < all.size(); n++) {
            HttpResponse<String> r = all.get(n).join();
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(r.body()).startsWith((n % 2 == 0 ? "/slow" : "/fast") + n + "\n");
        }
        assertThat(agent.service("narrow").path("statistics").path("starts").asInt()).isEqualTo(1);
    }

    @Test
    void requestsAreCountedTimedAndLogged() throws Exception {
        agent.register(echoSpec("seen", ""));
        agent.awaitState("seen", "available");
        for (int n = 0; n < 3; n++) assertThat(get("/seen/logged?n=" + n, null).statusCode()).isEqualTo(200);
        assertThat(get("/nowhere", null).statusCode()).isEqualTo(404);
        String m = agent.call("GET", "/metrics", null).body();
        assertThat(m).contains("steward_gateway_requests_total{service=\"seen\",status=\"2xx\"} 3.0");
        assertThat(m).containsPattern("steward_gateway_latency_seconds_count\\{service=\"seen\"} 3");
        Path log = tmp.resolve("data/logs/gateway-access.log");
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!(Files.exists(log) && Files.readString(log).contains("/nowhere")) && System.nanoTime() < deadline) TestAgent.sleep(20);
        String lines = Files.readString(log);
        assertThat(lines).containsPattern("127\\.0\\.0\\.1 - - \\[[^]]+] \"GET /seen/logged\\?n=2 HTTP/1\\.1\" 200 [0-9]+ seen [0-9a-f]{8} [0-9.]+ms");
        assertThat(lines).contains("\"GET /nowhere HTTP/1.1\" 404 52 - -");
    }

    /**
     * The gateway runs the path of a start on demand once at the agent's start, against a stand-in under a name no
     * service can have: it is over once the agent serves, and leaves no route, no count and no line in the access log.
     */
    @Test
    void theWarmUpAtTheStartLeavesNoRouteNoCountAndNoLogLine() throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        int code;
        while ((code = get("/.steward-warm-up/", null).statusCode()) != 404 && System.nanoTime() < deadline) TestAgent.sleep(20);
        assertThat(code).isEqualTo(404);
        assertThat(agent.call("GET", "/metrics", null).body()).doesNotContain("steward-warm-up");
        assertThat(get("/after-the-warm-up", null).statusCode()).isEqualTo(404);
        Path log = tmp.resolve("data/logs/gateway-access.log");
        while (!(Files.exists(log) && Files.readString(log).contains("/after-the-warm-up")) && System.nanoTime() < deadline) TestAgent.sleep(20);
        List<String> lines = Files.readAllLines(log);
        assertThat(lines).anyMatch(l -> l.contains("/after-the-warm-up"));
        // only this test's own requests to the name, all refused
        assertThat(lines.stream().filter(l -> l.contains("steward-warm-up"))).allMatch(l -> l.contains("\" 404 "));
    }

    static boolean listens(int port) {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    @Test
    void aRefusedConnectionIsRetriedOnAnotherInstanceForIdempotentRequests() throws Exception {
        // The first instance serves; the second is "ready" (its ping always passes) but listens on nothing.
        agent.register("name: half\ndir: " + work + "\ninstances: 2\nping: {exec: [\"true\"]}\n"
                + "command: [/bin/sh, -c, 'if mkdir served 2>/dev/null; then exec python3 echo.py; else exec sleep 600; fi']\n");
        JsonNode v = agent.await("half", x -> x.path("instances").size() == 2 && x.path("state").asText().equals("available"), java.time.Duration.ofSeconds(20));
        long deadline = System.nanoTime() + 10_000_000_000L;
        // until the serving instance's program listens (python's start takes a while on a busy machine)
        while (v.path("instances").findValues("port").stream().noneMatch(p -> listens(p.asInt()))) {
            assertThat(System.nanoTime()).as("no instance of half listens").isLessThan(deadline);
            TestAgent.sleep(20);
        }
        java.util.Set<String> answeredBy = new java.util.HashSet<>();
        for (int n = 0; n < 10; n++) {
            HttpResponse<String> r = get("/half/try" + n, null);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            answeredBy.add(r.headers().firstValue("x-steward-instance").orElseThrow());
        }
        assertThat(answeredBy).hasSize(1);
        assertThat(v.path("instances").findValuesAsText("id")).containsAll(answeredBy);
    }

    @Test
    void aRequestWhoseConnectionIsRefusedIsHeldAndGoesToAReadyInstanceOfAServiceThatStartsOnDemand() throws Exception {
        // Of two instances the first serves; the second is "ready" (its ping always passes) but listens on nothing.
        // A POST is never sent twice, but one whose connection could not be made was not sent at all: it is held,
        // as at scale from zero, and goes to the instance that is ready (before, half of them got 502).
        try (java.io.InputStream in = getClass().getResourceAsStream("/upstream.py")) {
            Files.write(work.resolve("upstream.py"), in.readAllBytes());
        }
        agent.register("name: refused\ndir: " + work + "\npolicy: on-demand\ninstances: 2\nping: {exec: [\"true\"]}\n"
                + "command: [/bin/sh, -c, 'if mkdir served 2>/dev/null; then exec python3 upstream.py; else exec sleep 600; fi']\n");
        agent.ok("POST", "/v1/services/refused/start", null);
        JsonNode v = agent.await("refused", x -> x.path("instances").size() == 2 && x.path("state").asText().equals("available"),
                java.time.Duration.ofSeconds(20));
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (get("/refused/listening", null).statusCode() != 200 && System.nanoTime() < deadline) TestAgent.sleep(100);
        java.util.Set<String> answeredBy = new java.util.HashSet<>();
        for (int n = 0; n < 10; n++) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(agent.gateway + "/refused/post" + n))
                    .POST(HttpRequest.BodyPublishers.ofString("twelve bytes")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("12");
            answeredBy.add(r.headers().firstValue("x-steward-instance").orElseThrow());
        }
        assertThat(answeredBy).hasSize(1);
        assertThat(v.path("instances").findValuesAsText("id")).containsAll(answeredBy);
    }

    @Test
    void badRequestsNeverReachAnInstance() throws Exception {
        int port = Integer.parseInt(agent.gateway.substring(agent.gateway.lastIndexOf(':') + 1));
        assertThat(raw(port, "NONSENSE\r\n\r\n")).startsWith("HTTP/1.1 400");
        assertThat(raw(port, "GET /x HTTP/1.1\r\nHost: h\r\nX-Big: " + "a".repeat(70_000) + "\r\n\r\n")).matches("HTTP/1.1 (431|400).*");
    }

    private static String raw(int port, String request) throws Exception {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
            s.setSoTimeout(5000);
            s.getOutputStream().write(request.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            String all = new String(s.getInputStream().readNBytes(64), java.nio.charset.StandardCharsets.ISO_8859_1);
            int eol = all.indexOf("\r\n");
            return eol < 0 ? all : all.substring(0, eol);
        }
    }

    @Test
    void aStoppingInstanceFinishesTheRequestsInFlightFirst() throws Exception {
        agent.register(echoSpec("drain", ""));
        agent.awaitState("drain", "available");
        CompletableFuture<HttpResponse<String>> slow = http.sendAsync(HttpRequest.newBuilder(URI.create(agent.gateway + "/drain/slow")).build(),
                HttpResponse.BodyHandlers.ofString());
        TestAgent.sleep(300);
        agent.ok("POST", "/v1/services/drain/stop", null);
        HttpResponse<String> r = slow.join();
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).startsWith("/slow\n");
        assertThat(get("/drain/after", null).statusCode()).isEqualTo(503);
        agent.awaitState("drain", "stopped");
    }

    @Test
    void aLingeringServiceScalesToZeroAfterItsLastRequest() throws Exception {
        agent.register(echoSpec("linger", "policy: lingering\nlinger: 1s\n"));
        assertThat(get("/linger/a", null).statusCode()).isEqualTo(200);
        long answered = System.nanoTime();
        assertThat(agent.service("linger").path("state").asText()).isEqualTo("available");
        TestAgent.sleep(500);
        assertThat(get("/linger/b", null).statusCode()).isEqualTo(200);
        long last = System.nanoTime();
        agent.awaitState("linger", "stopped");
        assertThat((System.nanoTime() - last) / 1_000_000).isGreaterThanOrEqualTo(900);
        assertThat(agent.service("linger").path("statistics").path("starts").asInt()).isEqualTo(1);
        assertThat(answered).isPositive();
    }

    @Test
    void anInstanceThatCannotBeReachedGives502() throws Exception {
        agent.register("name: liar\ncommand: [sleep, \"600\"]\nping: {exec: [\"true\"]}\n");
        agent.awaitState("liar", "available");
        HttpResponse<String> r = get("/liar/", null);
        assertThat(r.statusCode()).isEqualTo(502);
        assertThat(Json.tree(r.body()).path("error").asText()).contains("did not answer");
    }

    /** The request line and head as sent, over a raw socket (clients make paths canonical themselves): the whole response. */
    String raw(String requestLineAndHeaders) throws Exception {
        int port = Integer.parseInt(agent.gateway.substring(agent.gateway.lastIndexOf(':') + 1));
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
            s.setSoTimeout(20_000);
            s.getOutputStream().write((requestLineAndHeaders + "Host: 127.0.0.1\r\nConnection: close\r\n\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    @Test
    void pathsAreMadeCanonicalBeforeRoutingAndClimbingAboveTheRootIsRefused() throws Exception {
        agent.register(echoSpec("echo", ""));
        agent.register(echoSpec("admin", ""));
        agent.awaitState("echo", "available");
        agent.awaitState("admin", "available");
        String[][] cases = {
                {"/echo/a/../b", "/b\n"},
                {"/echo//a///b/./c", "/a/b/c\n"},
                {"/echo/x/%2e%2e/y?q=/../z", "/y?q=/../z\n"},
                {"/admin/../echo/z", "/z\n"},          // routed to echo, where the canonical path points
                {"/echo/%2E%2e/admin/secret", "/secret\n"}, // and this to admin: the upstream sees what the route saw
        };
        for (String[] c : cases) {
            String all = raw("GET " + c[0] + " HTTP/1.1\r\n");
            assertThat(all).as(c[0]).startsWith("HTTP/1.1 200");
            assertThat(all.substring(all.indexOf("\r\n\r\n") + 4)).as(c[0]).startsWith(c[1]);
        }
        String admin = raw("GET /echo/%2E%2e/admin/secret HTTP/1.1\r\n");
        String instance = agent.service("admin").path("instances").get(0).path("id").asText();
        assertThat(admin).containsIgnoringCase("x-steward-instance: " + instance);
        for (String climb : new String[] {"/echo/../../etc/passwd", "/..", "/echo/%2e%2e/%2e%2e/x"}) {
            String all = raw("GET " + climb + " HTTP/1.1\r\n");
            assertThat(all).as(climb).startsWith("HTTP/1.1 400").contains("climbs above the root");
        }
    }

    @Test
    void clientSentStewardHeadersNeverReachTheUpstream() throws Exception {
        agent.register(echoSpec("echo", ""));
        String instance = agent.awaitState("echo", "available").path("instances").get(0).path("id").asText();
        String all = raw("GET /echo/h HTTP/1.1\r\nX-Steward-User: root\r\nx-steward-instance: forged\r\nX-STEWARD-Owner: admin\r\n"
                + "X-Stewardship: kept\r\nX-Other: kept\r\n");
        assertThat(all).startsWith("HTTP/1.1 200");
        String body = all.substring(all.indexOf("\r\n\r\n") + 4).toLowerCase(java.util.Locale.ROOT);
        assertThat(body).startsWith("/h\n").contains("x-stewardship: kept", "x-other: kept").doesNotContain("x-steward-");
        assertThat(all).containsIgnoringCase("x-steward-instance: " + instance).doesNotContain("forged");
    }
}
