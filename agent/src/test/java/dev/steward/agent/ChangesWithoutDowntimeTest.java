package dev.steward.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A change of spec under load replaces instances one at a time: no request fails. */
class ChangesWithoutDowntimeTest extends AgentTestBase {
    static final String SERVER = """
            import http.server, os
            class H(http.server.BaseHTTPRequestHandler):
                protocol_version = 'HTTP/1.1'
                def do_GET(self):
                    b = os.environ.get('V', '').encode()
                    self.send_response(200)
                    self.send_header('Content-Length', str(len(b)))
                    self.end_headers()
                    self.wfile.write(b)
                def log_message(self, *a):
                    pass
            http.server.ThreadingHTTPServer(('127.0.0.1', int(os.environ['PORT'])), H).serve_forever()
            """;
    Path work;

    @BeforeEach
    void server() throws Exception {
        work = Files.createDirectories(tmp.resolve("w"));
        Files.writeString(work.resolve("server.py"), SERVER);
    }

    String spec(String version) {
        return "name: ver\ndir: " + work + "\ncommand: [python3, server.py]\ninstances: 2\nenv: {V: '" + version + "'}\n"
                + "ping: {http: /, interval: 200ms}\n";
    }

    @Test
    void aModifiedEnvironmentReplacesInstancesWhileRequestsKeepSucceeding() throws Exception {
        agent.register(spec("1"));
        JsonNode before = agent.await("ver", v -> v.path("state").asText().equals("available")
                && v.path("instances").size() == 2 && allReady(v), Duration.ofSeconds(30));
        List<String> oldIds = ids(before);
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        URI uri = URI.create(agent.gateway + "/ver/");
        AtomicBoolean run = new AtomicBoolean(true);
        AtomicInteger ok = new AtomicInteger();
        List<String> failures = new CopyOnWriteArrayList<>();
        Map<String, AtomicInteger> bodies = new ConcurrentHashMap<>();
        List<Thread> clients = new java.util.ArrayList<>();
        for (int c = 0; c < 4; c++) {
            clients.add(Thread.ofVirtual().start(() -> {
                while (run.get()) {
                    try {
                        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                                HttpResponse.BodyHandlers.ofString());
                        if (r.statusCode() == 200) {
                            ok.incrementAndGet();
                            bodies.computeIfAbsent(r.body(), k -> new AtomicInteger()).incrementAndGet();
                        } else {
                            failures.add(r.statusCode() + " " + r.body());
                        }
                    } catch (Exception e) {
                        failures.add(e.toString());
                    }
                }
            }));
        }
        try {
            agent.await("ver", v -> true, Duration.ofSeconds(1));
            long t0 = System.nanoTime();
            while (ok.get() < 50 && System.nanoTime() - t0 < 10_000_000_000L) Thread.sleep(10);
            agent.ok("PUT", "/v1/services/ver", spec("2"));
            agent.await("ver", v -> v.path("instances").size() == 2 && allReady(v)
                    && ids(v).stream().noneMatch(oldIds::contains), Duration.ofSeconds(60));
            int at = ok.get();
            long t1 = System.nanoTime();
            while (ok.get() < at + 50 && System.nanoTime() - t1 < 10_000_000_000L) Thread.sleep(10);
        } finally {
            run.set(false);
            for (Thread t : clients) t.join();
        }
        assertThat(failures).as("requests that failed during the change (of " + ok.get() + " that succeeded)").isEmpty();
        assertThat(bodies).containsKeys("1", "2");
        assertThat(agent.service("ver").path("wanted-by").asText()).isEqualTo("spec");
    }

    static boolean allReady(JsonNode v) {
        for (JsonNode i : v.path("instances")) {
            if (!i.path("state").asText().equals("running") || !i.path("health").asText().equals("healthy")) return false;
        }
        return true;
    }

    static List<String> ids(JsonNode v) {
        List<String> out = new java.util.ArrayList<>();
        v.path("instances").forEach(i -> out.add(i.path("id").asText()));
        return out;
    }
}
