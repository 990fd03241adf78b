package dev.steward.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * Two agents on one machine sharing one real etcd, as nodes a and b (issue 12, step 1): each lists
 * both; a service registered through a is seen through b, placed by the scheduler on one node (a,
 * the least loaded by name), and b shows a's instance and may change it; b killed with SIGKILL
 * leaves the nodes within its lease's TTL; a killed and started again takes its name back at once,
 * gets its specs from etcd and adopts its running instance.
 */
class ClusterTest extends EtcdNodesTest {
    /** The lease's TTL (Cluster.DEFAULT_TTL) and the slack etcd's lease checks take beyond it. */
    static final Duration GONE_WITHIN = Duration.ofSeconds(5 + 3);

    RemoteAgent node(String name) throws Exception {
        return startNode(name, "");
    }

    static List<String> names(JsonNode nodes) {
        List<String> out = new ArrayList<>();
        nodes.forEach(n -> out.add(n.path("name").asText()));
        return out;
    }

    /** Waits until {@code agent}'s node list satisfies {@code ok}; returns it. */
    static JsonNode awaitNodes(RemoteAgent agent, Predicate<List<String>> ok, Duration wait) throws Exception {
        long deadline = System.nanoTime() + wait.toNanos();
        JsonNode nodes = agent.call("GET", "/v1/cluster/nodes", null);
        while (!ok.test(names(nodes))) {
            assertThat(System.nanoTime()).as("nodes now: %s", nodes).isLessThan(deadline);
            Thread.sleep(50);
            nodes = agent.call("GET", "/v1/cluster/nodes", null);
        }
        return nodes;
    }

    @Test
    void twoNodesShareSpecsEachRunsItsOwnAndAKilledNodeLeaves() throws Exception {
        RemoteAgent a = node("a");
        RemoteAgent b = node("b");
        JsonNode seenByA = awaitNodes(a, n -> n.equals(List.of("a", "b")), Duration.ofSeconds(10));
        awaitNodes(b, n -> n.equals(List.of("a", "b")), Duration.ofSeconds(10));
        JsonNode nodeA = seenByA.get(0);
        assertThat(nodeA.path("address").path("api").asText()).isEqualTo(a.base);
        assertThat(nodeA.path("capacity").path("total").path("cpu").asDouble()).isPositive();
        assertThat(nodeA.path("capacity").path("total").path("memory").asLong()).isGreaterThanOrEqualTo(nodeA.path("capacity").path("free").path("memory").asLong()).isPositive();
        assertThat(nodeA.path("lease-age").asDouble()).isGreaterThanOrEqualTo(0);

        a.call("POST", "/v1/services", "name: web\ncommand: " + Procs.httpServer() + "\nping: {http: /}\n");
        JsonNode onA = a.await("web", v -> v.path("state").asText().equals("available"));
        assertThat(onA.path("node").asText()).isEqualTo("a");
        assertThat(onA.path("instances")).hasSize(1);
        JsonNode instance = onA.path("instances").get(0);
        assertThat(instance.path("node").asText()).isEqualTo("a");
        long pid = instance.path("pid").asLong();
        strays.add(pid);

        awaitService(b, "web");
        JsonNode onB = b.await("web", v -> v.path("instances").size() == 1);
        assertThat(onB.path("wanted").asInt()).as("none assigned to b").isZero();
        assertThat(onB.path("placed")).hasToString("{\"a\":1}");
        assertThat(onB.path("instances").get(0).path("node").asText()).as("a's instance, from its record").isEqualTo("a");
        assertThat(onB.path("instances").get(0).path("pid").asLong()).isEqualTo(pid);
        TestAgent.Res start = b.send("POST", "/v1/services/web/start", null);
        assertThat(start.status()).as("any node may change it: " + start.body()).isEqualTo(200);

        b.kill9();
        long killed = System.nanoTime();
        awaitNodes(a, n -> n.equals(List.of("a")), GONE_WITHIN);
        System.out.println("node b left the cluster " + Duration.ofNanos(System.nanoTime() - killed).toMillis() + " ms after SIGKILL");

        a.kill9();
        assertThat(Procs.alive(pid)).as("the instance outlives its agent").isTrue();
        RemoteAgent again = node("a"); // at once: the lease the killed agent left is this agent's own
        JsonNode back = again.await("web", v -> v.path("state").asText().equals("available"));
        assertThat(back.path("instances")).hasSize(1);
        assertThat(back.path("instances").get(0).path("pid").asLong()).as("adopted, not started again").isEqualTo(pid);
        awaitNodes(again, n -> n.equals(List.of("a")), Duration.ofSeconds(5));
    }

    @Test
    void aSecondAgentOfTheSameNameIsRefusedWhileTheFirstHoldsIt() throws Exception {
        RemoteAgent a = node("a");
        assertThatThrownBy(() -> TestAgent.startNode(tmp.resolve("other"), etcd.clusterUrl(), "a"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("node name a is held by another agent").hasMessageContaining(a.base);
        try (TestAgent c = TestAgent.startNode(tmp.resolve("c"), etcd.clusterUrl(), "c")) {
            assertThat(names(c.get("/v1/cluster/nodes"))).containsExactly("a", "c");
        }
        awaitNodes(a, n -> n.equals(List.of("a")), Duration.ofSeconds(2)); // a closed agent leaves at once: its lease is revoked
    }

    static JsonNode awaitService(RemoteAgent agent, String name) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        TestAgent.Res r = agent.send("GET", "/v1/services/" + name, null);
        while (r.status() != 200) {
            assertThat(System.nanoTime()).as("%s on %s: %s", name, agent.base, r).isLessThan(deadline);
            Thread.sleep(20);
            r = agent.send("GET", "/v1/services/" + name, null);
        }
        return r.json();
    }
}
