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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Demand across nodes (issue 12): nodes a and b on one machine (127.0.0.2, 127.0.0.3), one real etcd. A dynamic
 * service's load arrives at a's gateway alone; a's autoscaler wants more instances, and that count goes to the
 * scheduler, which places them over both nodes; when the load ends the count comes down again.
 */
class DemandAcrossNodesTest extends EtcdNodesTest {
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();

    RemoteAgent node(String name, String address) throws Exception {
        Path data = tmp.resolve(name);
        dataDirs.add(data);
        return RemoteAgent.startNode(data, tmp, etcd.clusterUrl(), name, "", address, agents);
    }

    static int total(JsonNode placed) {
        int n = 0;
        for (JsonNode c : placed) n += c.asInt();
        return n;
    }

    @Test
    void aServiceScaledByDemandAtOneNodeIsPlacedOverBothAndComesBackDown() throws Exception {
        RemoteAgent a = node("a", OneNetworkTest.A);
        RemoteAgent b = node("b", OneNetworkTest.B);
        ClusterTest.awaitNodes(a, n -> n.equals(List.of("a", "b")), Duration.ofSeconds(30));
        Path work = Files.createDirectories(tmp.resolve("work"));
        Files.writeString(work.resolve("server.py"), OneNetworkTest.SERVER);
        a.call("POST", "/v1/services", "name: dyn\ndir: " + work + "\ncommand: [python3, server.py]\npolicy: dynamic\n"
                + "instances: {min: 1, max: 3, target-concurrency: 1, stable-window: 3s, panic-window: 1s}\n"
                + "ping: {http: /ping, interval: 200ms}\nenv: {DELAY_A: \"0.4\", DELAY_B: \"0.4\"}\n");
        a.call("POST", "/v1/services/dyn/start", null);
        JsonNode one = OneNetworkTest.await(() -> a.call("GET", "/v1/services/dyn", null),
                v -> total(v.path("placed")) == 1 && v.path("state").asText().equals("available"), Duration.ofSeconds(60));
        assertThat(one.path("placed")).as("before the load: min").hasSize(1);

        String gateway = a.gateway();
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<Integer>> failed = new ArrayList<>();
        JsonNode spread;
        try {
            for (int i = 0; i < 4; i++) {
                failed.add(pool.submit(() -> {
                    int bad = 0;
                    while (!stop.get()) {
                        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(gateway + "/dyn/")).timeout(Duration.ofSeconds(30)).build(),
                                HttpResponse.BodyHandlers.ofString());
                        if (r.statusCode() != 200) bad++;
                    }
                    return bad;
                }));
            }
            // four requests at a time through a's gateway, each 0.4 s, at one request per instance: a's autoscaler wants 3
            spread = OneNetworkTest.await(() -> a.call("GET", "/v1/services/dyn", null),
                    v -> total(v.path("placed")) == 3 && v.path("placed").has("a") && v.path("placed").has("b"), Duration.ofSeconds(60));
            OneNetworkTest.await(() -> b.call("GET", "/v1/services/dyn", null), v -> OneNetworkTest.readyOn(v, "b"), Duration.ofSeconds(60));
        } finally {
            stop.set(true);
            pool.shutdown();
        }
        for (Future<Integer> f : failed) assertThat(f.get()).as("requests that failed while it scaled").isZero();
        System.out.println("placed under load at a's gateway: " + spread.path("placed"));
        assertThat(spread.path("wanted-by").asText()).isEqualTo("the scheduler's assignment");

        // the load gone: after a stable window the autoscaler wants 1 again, and so does the scheduler
        JsonNode after = OneNetworkTest.await(() -> a.call("GET", "/v1/services/dyn", null), v -> total(v.path("placed")) == 1, Duration.ofSeconds(60));
        assertThat(after.path("placed")).hasSize(1);
    }
}
