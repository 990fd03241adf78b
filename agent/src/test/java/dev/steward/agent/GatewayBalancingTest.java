package dev.steward.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** How the gateway spreads requests: round robin, latency bounds, and dynamic scaling under load. */
class GatewayBalancingTest extends AgentTestBase {
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    Path work;

    @BeforeEach
    void upstream() throws Exception {
        work = Files.createDirectories(tmp.resolve("w"));
        try (InputStream in = getClass().getResourceAsStream("/upstream.py")) {
            Files.write(work.resolve("upstream.py"), in.readAllBytes());
        }
    }

    void register(String name, String extra) {
        agent.register("name: " + name + "\ndir: " + work + "\ncommand: [python3, upstream.py]\nping: {http: /, interval: 200ms}\n" + extra);
    }

    HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(agent.gateway + path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    Map<String, Integer> spread(String path, int n) throws Exception {
        Map<String, Integer> by = new HashMap<>();
        for (int i = 0; i < n; i++) {
            HttpResponse<String> r = get(path);
            assertThat(r.statusCode()).isEqualTo(200);
            by.merge(r.headers().firstValue("x-steward-instance").orElseThrow(), 1, Integer::sum);
        }
        return by;
    }

    @Test
    void roundRobinTakesTheInstancesInTurn() throws Exception {
        register("rr", "instances: 2\nroute: {balance: round-robin}\n");
        agent.await("rr", v -> v.path("instances").size() == 2 && v.path("state").asText().equals("available")
                && allReady(v), java.time.Duration.ofSeconds(20));
        assertThat(spread("/rr/x", 10).values()).containsExactly(5, 5);
    }

    static boolean allReady(JsonNode v) {
        for (JsonNode i : v.path("instances")) if (!i.path("health").asText().equals("healthy")) return false;
        return true;
    }

    @Test
    void aSlowInstanceIsAvoidedWhileAnotherIsUnderTheSoftLatency() throws Exception {
        register("lat", "instances: 2\nenv: {ONE_SLOW: \"1\"}\nroute: {latency: {soft: 100ms, hard: 250ms}}\n");
        agent.await("lat", v -> v.path("instances").size() == 2 && allReady(v), java.time.Duration.ofSeconds(20));
        Map<String, Integer> by = spread("/lat/x", 30);
        assertThat(by).hasSize(2); // the slow one was tried: its latency was unknown at first
        int slowest = by.values().stream().mapToInt(Integer::intValue).min().orElseThrow();
        assertThat(slowest).as("requests sent to the slow instance: " + by).isLessThanOrEqualTo(2);
    }

    @Test
    void aDynamicServiceScalesOutUnderLoadHoldsSteadyAndScalesBackToZero() throws Exception {
        register("dyn", "policy: dynamic\ninstances: {min: 0, max: 4, target-concurrency: 2, stable-window: 3s, panic-window: 1s}\n");
        assertThat(agent.service("dyn").path("instances").size()).isZero();
        AtomicBoolean loading = new AtomicBoolean(true);
        AtomicInteger ok = new AtomicInteger();
        Map<Integer, Integer> failures = new ConcurrentHashMap<>();
        List<Thread> clients = new ArrayList<>();
        for (int c = 0; c < 8; c++) {
            clients.add(Thread.ofVirtual().start(() -> {
                while (loading.get()) {
                    try {
                        HttpResponse<String> r = get("/dyn/slow?s=0.1");
                        if (r.statusCode() == 200) ok.incrementAndGet();
                        else failures.merge(r.statusCode(), 1, Integer::sum);
                    } catch (Exception e) {
                        failures.merge(-1, 1, Integer::sum);
                    }
                }
            }));
        }
        // 8 requests always in flight at a target of 2 per instance: 4 instances
        List<Integer> counts = new ArrayList<>();
        long deadline = System.nanoTime() + 15_000_000_000L;
        while (System.nanoTime() < deadline && live("dyn") < 4) TestAgent.sleep(100);
        assertThat(live("dyn")).isEqualTo(4);
        // on a loaded machine the four take a while to answer: the steady window starts once they all do
        agent.await("dyn", v -> healthy(v) == 4, java.time.Duration.ofSeconds(30));
        int okBefore = ok.get();
        for (int i = 0; i < 30; i++) {
            counts.add(live("dyn"));
            TestAgent.sleep(100);
        }
        loading.set(false);
        for (Thread t : clients) t.join();
        assertThat(counts).as("instances at a steady load, every 100 ms").containsOnly(4);
        assertThat(failures).as("requests not answered 200").isEmpty();
        assertThat(ok.get() - okBefore).as("requests answered in the 3 s at a steady load").isGreaterThan(20);
        long idleFrom = System.nanoTime();
        agent.await("dyn", v -> v.path("instances").size() == 0, java.time.Duration.ofSeconds(20));
        long toZeroMs = (System.nanoTime() - idleFrom) / 1_000_000;
        assertThat(toZeroMs).as("back to zero after the stable window").isBetween(2000L, 12_000L);
    }

    static int healthy(JsonNode v) {
        int n = 0;
        for (JsonNode i : v.path("instances")) {
            if (i.path("state").asText().equals("running") && i.path("health").asText().equals("healthy")) n++;
        }
        return n;
    }

    int live(String name) {
        int n = 0;
        for (JsonNode i : agent.service(name).path("instances")) {
            String s = i.path("state").asText();
            if (s.equals("running") || s.equals("starting")) n++;
        }
        return n;
    }
}
