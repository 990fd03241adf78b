package dev.steward.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** http, tcp and exec pings; waiting, available, unhealthy; enforced timeouts; ping-only services. */
class PingTest extends AgentTestBase {
    /** An HTTP server on $PORT whose /healthz fails while ./sick exists and hangs while ./hang exists. */
    static final String HEALTH_SERVER = """
            import http.server, os, time
            class H(http.server.BaseHTTPRequestHandler):
                def do_GET(self):
                    if os.path.exists('hang'): time.sleep(30)
                    code = 500 if os.path.exists('sick') else 200
                    self.send_response(code); self.end_headers(); self.wfile.write(b'ok')
                def log_message(self, *a): pass
            http.server.ThreadingHTTPServer(('127.0.0.1', int(os.environ['PORT'])), H).serve_forever()
            """;

    Path work;

    @BeforeEach
    void workDir() throws Exception {
        work = Files.createDirectories(tmp.resolve("work"));
        Files.writeString(work.resolve("health.py"), HEALTH_SERVER);
    }

    @Test
    void anExecPingKeepsTheServiceWaitingUntilItPasses() throws Exception {
        agent.register("name: w\ncommand: [sleep, \"600\"]\ndir: " + work + "\nping: {exec: [test, -f, ready], interval: 100ms}\n");
        JsonNode v = agent.awaitState("w", "waiting");
        assertThat(v.path("health").asText()).isEqualTo("unknown");
        TestAgent.sleep(300);
        assertThat(agent.service("w").path("state").asText()).isEqualTo("waiting");
        Files.writeString(work.resolve("ready"), "");
        v = agent.awaitState("w", "available");
        assertThat(v.path("health").asText()).isEqualTo("healthy");
    }

    @Test
    void anHttpPingThatKeepsFailingMarksTheInstanceUnhealthyAndRestartsIt() throws Exception {
        agent.register("name: h\ncommand: [python3, health.py]\ndir: " + work
                + "\nping: {http: /healthz, interval: 100ms, failures: 2}\nrestart: {delay: 10ms, failures-limit: 100}\n");
        JsonNode first = agent.awaitState("h", "available").path("instances").get(0);
        Files.writeString(work.resolve("sick"), "");
        JsonNode v = agent.await("h", x -> x.path("instances").get(0).path("restarts").asInt() >= 1, Duration.ofSeconds(10));
        assertThat(v.path("statistics").path("last-exit-reason").asText()).contains("unhealthy");
        assertThat(v.path("instances").get(0).path("pid").asLong()).isNotEqualTo(first.path("pid").asLong());
        Files.delete(work.resolve("sick"));
        agent.awaitState("h", "available");
    }

    @Test
    void everyPingIsCutOffAtItsTimeout() throws Exception {
        Files.writeString(work.resolve("hang"), "");
        agent.register("name: slow\ncommand: [python3, health.py]\ndir: " + work + "\nping: {http: /healthz, interval: 1s, timeout: 150ms}\n");
        JsonNode v = agent.await("slow", x -> x.path("instances").size() == 1
                && x.path("instances").get(0).path("ping").asText().contains("timed out"), Duration.ofSeconds(10));
        String ping = v.path("instances").get(0).path("ping").asText();
        long ms = Long.parseLong(ping.substring(ping.lastIndexOf('(') + 1, ping.lastIndexOf("ms)")));
        assertThat(ms).isBetween(140L, 1000L);
        assertThat(v.path("state").asText()).isEqualTo("waiting");
    }

    @Test
    void aTcpPingPassesOnceThePortListens() {
        agent.register("name: t\ncommand: [/bin/sh, -c, 'sleep 0.5; exec python3 -m http.server $PORT --bind 127.0.0.1']\nping: {tcp: true}\n");
        assertThat(agent.awaitState("t", "waiting").path("health").asText()).isEqualTo("unknown");
        agent.awaitState("t", "available");
    }

    @Test
    void aPingOnlyServiceIsPingedAndNeverStarted() throws Exception {
        External ext = external("ext.log");
        try {
            agent.register("name: ext\nping-only: {endpoint: \"http://127.0.0.1:" + ext.port() + "\"}\nping: {http: /, interval: 100ms, failures: 1}\n");
            JsonNode v = agent.awaitState("ext", "available");
            assertThat(v.path("instances").get(0).path("pid").asLong()).isZero();
            assertThat(v.path("statistics").path("starts").asInt()).isZero();
            ext.process().destroyForcibly().waitFor();
            v = agent.awaitState("ext", "waiting");
            assertThat(v.path("health").asText()).isEqualTo("unhealthy");
        } finally {
            ext.process().destroyForcibly();
        }
    }

    /** A python http.server on a free loopback port. */
    record External(Process process, int port) {}

    External external(String log) throws Exception {
        int port;
        try (var s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        return new External(new ProcessBuilder(List.of("python3", "-m", "http.server", Integer.toString(port), "--bind", "127.0.0.1"))
                .redirectErrorStream(true).redirectOutput(tmp.resolve(log).toFile()).start(), port);
    }

    int throughGateway(String path) throws Exception {
        var http = java.net.http.HttpClient.newHttpClient();
        return http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(agent.gateway + path)).build(),
                java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    void aStoppedPingOnlyServiceIsNeitherPingedNorRoutedEvenAfterARestartAndAChangedEndpointIsPingedAtOnce() throws Exception {
        External one = external("one.log");
        External two = external("two.log");
        try {
            String spec = "name: ext\nping-only: {endpoint: \"http://127.0.0.1:%d\"}\nping: {http: /, interval: 100ms, failures: 1}\n";
            agent.register(spec.formatted(one.port()));
            agent.awaitState("ext", "available");
            assertThat(throughGateway("/ext/")).isEqualTo(200);

            agent.ok("POST", "/v1/services/ext/stop", null);
            JsonNode v = agent.awaitState("ext", "stopped");
            assertThat(v.path("instances")).as("no endpoint shown while stopped").isEmpty();
            assertThat(throughGateway("/ext/")).as("not routed while stopped").isNotEqualTo(200);
            long passes = passes("ext");
            TestAgent.sleep(500); // five intervals: a loop still pinging would have passed about five times more
            assertThat(passes("ext")).as("no pings while stopped (one in flight at the stop may end)").isLessThanOrEqualTo(passes + 1);

            agent.close(); // a stopped service stays stopped across the agent's restart
            agent = TestAgent.start(tmp.resolve("data"), runAs());
            assertThat(agent.service("ext").path("state").asText()).isEqualTo("stopped");
            TestAgent.sleep(500);
            assertThat(passes("ext")).as("not pinged by the agent that came back").isZero();
            assertThat(agent.service("ext").path("state").asText()).isEqualTo("stopped");

            agent.ok("POST", "/v1/services/ext/start", null);
            agent.awaitState("ext", "available");
            assertThat(throughGateway("/ext/")).isEqualTo(200);

            agent.ok("PUT", "/v1/services/ext", spec.formatted(two.port()));
            v = agent.await("ext", x -> x.path("state").asText().equals("available")
                    && x.path("instances").get(0).path("port").asInt() == two.port(), Duration.ofSeconds(10));
            one.process().destroyForcibly().waitFor();
            assertThat(throughGateway("/ext/")).as("routed to the new endpoint").isEqualTo(200);
            assertThat(agent.service("ext").path("state").asText()).isEqualTo("available");
        } finally {
            one.process().destroyForcibly();
            two.process().destroyForcibly();
        }
    }

    @Test
    void aServiceChangedToPingOnlyStopsItsInstancesAndBackStartsThemAgain() throws Exception {
        External ext = external("kind.log");
        try {
            String command = "name: k\ncommand: [sleep, \"600\"]\nping: {exec: [\"true\"], interval: 100ms}\n";
            agent.register(command);
            long pid = agent.awaitState("k", "available").path("instances").get(0).path("pid").asLong();
            assertThat(Procs.alive(pid)).isTrue();

            agent.ok("PUT", "/v1/services/k", "name: k\nping-only: {endpoint: \"http://127.0.0.1:%d\"}\nping: {http: /, interval: 100ms}\n"
                    .formatted(ext.port()));
            JsonNode v = agent.await("k", x -> x.path("state").asText().equals("available")
                    && x.path("instances").size() == 1 && x.path("instances").get(0).path("port").asInt() == ext.port(), Duration.ofSeconds(20));
            assertThat(v.path("instances").get(0).path("pid").asLong()).isZero();
            long was = pid;
            TestAgent.awaitTrue("the instance of the command stopped", () -> !Procs.alive(was), Duration.ofSeconds(20));

            agent.ok("PUT", "/v1/services/k", command);
            v = agent.await("k", x -> x.path("state").asText().equals("available")
                    && x.path("instances").size() == 1 && x.path("instances").get(0).path("pid").asLong() > 0, Duration.ofSeconds(20));
            assertThat(Procs.alive(v.path("instances").get(0).path("pid").asLong())).isTrue();
        } finally {
            ext.process().destroyForcibly();
        }
    }

    /** The passing pings of {@code service} so far, from /metrics. */
    long passes(String service) {
        var m = java.util.regex.Pattern.compile("steward_ping_latency_seconds_count\\{result=\"pass\",service=\"" + service + "\"} (\\d+)")
                .matcher(agent.call("GET", "/metrics", null).body());
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    @Test
    void aServicePingedEvery50msIsStillPingedLongAfterAndAFrozenInstanceIsReplaced() throws Exception {
        // the ping loop once died after about 72 pings (a Duration overflow): health checks stopped a few seconds in
        agent.register("name: fast\ncommand: [python3, health.py]\ndir: " + work
                + "\nping: {http: /healthz, interval: 50ms, timeout: 1s, failures: 3}\nrestart: {delay: 10ms}\n");
        JsonNode v = agent.awaitState("fast", "available");
        long pid = v.path("instances").get(0).path("pid").asLong();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (passes("fast") < 200) {
            assertThat(System.nanoTime()).as("200 pings pass (" + passes("fast") + " so far)").isLessThan(deadline);
            Thread.sleep(100);
        }
        long before = passes("fast");
        Thread.sleep(500);
        assertThat(passes("fast")).as("still pinged after 200 pings").isGreaterThan(before);
        Procs.signal(pid, "STOP"); // hung: its pings time out
        JsonNode after = agent.await("fast", x -> x.path("state").asText().equals("available")
                && x.path("instances").get(0).path("pid").asLong() != pid, Duration.ofSeconds(30));
        assertThat(after.path("instances").get(0).path("restarts").asInt()).isGreaterThanOrEqualTo(1);
        assertThat(after.path("statistics").path("failures").asInt()).as("the frozen instance's end counts as a failure").isGreaterThanOrEqualTo(1);
        assertThat(Procs.alive(pid)).as("the frozen instance was killed").isFalse();
    }
}
