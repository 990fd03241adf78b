package dev.steward.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * Three agents on one machine sharing one real etcd, as nodes a (zone x), b and c (zone y), each in
 * its own JVM (issue 12, placement): one of them leads the scheduler; a service of two instances
 * spread over zones lands on two nodes of different zones; a label no node has leaves a service
 * pending with the reason; the leader killed with SIGKILL, another is elected and the service's
 * instances run on the nodes left; a drained node's instance moves to another node.
 */
class PlacementTest extends EtcdNodesTest {
    /** A killed node's lease (5 s) runs out, etcd notices, a new leader is elected and the service is placed again. */
    static final Duration FAILOVER = Duration.ofSeconds(30);
    final Map<String, RemoteAgent> nodes = new LinkedHashMap<>();

    RemoteAgent node(String name, String labels) throws Exception {
        RemoteAgent a = startNode(name, labels);
        nodes.put(name, a);
        return a;
    }

    /** Waits until {@code agent} shows exactly one leader that satisfies {@code ok}; returns its name. */
    static String awaitLeader(RemoteAgent agent, Predicate<String> ok, Duration wait) throws Exception {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            JsonNode list = agent.call("GET", "/v1/cluster/nodes", null);
            List<String> leaders = new ArrayList<>();
            list.forEach(n -> {
                if (n.path("leader").asBoolean()) leaders.add(n.path("name").asText());
            });
            if (leaders.size() == 1 && ok.test(leaders.get(0))) return leaders.get(0);
            assertThat(System.nanoTime()).as("leaders now: %s", list).isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    /** Waits until {@code agent} shows {@code service} with {@code count} running instances that satisfy {@code ok} (their nodes). */
    JsonNode awaitRunning(RemoteAgent agent, String service, int count, Predicate<List<String>> ok, Duration wait) throws Exception {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            TestAgent.Res r = agent.send("GET", "/v1/services/" + service, null);
            if (r.status() == 200) {
                JsonNode v = r.json();
                List<String> on = new ArrayList<>();
                for (JsonNode i : v.path("instances")) {
                    if (i.path("pid").asLong() > 0 && !strays.contains(i.path("pid").asLong())) strays.add(i.path("pid").asLong());
                    if (i.path("state").asText().equals("running")) on.add(i.path("node").asText());
                }
                if (on.size() == count && v.path("instances").size() == count && ok.test(on)) return v;
                assertThat(System.nanoTime()).as("%s now: %s", service, v).isLessThan(deadline);
            } else {
                assertThat(System.nanoTime()).as("%s: %s", service, r).isLessThan(deadline);
            }
            Thread.sleep(100);
        }
    }

    static Set<String> nodesOf(JsonNode service) {
        Set<String> on = new TreeSet<>();
        service.path("instances").forEach(i -> on.add(i.path("node").asText()));
        return on;
    }

    @Test
    void spreadLandsOnTwoZonesAMissingLabelWaitsWithItsReasonTheLeaderFailsOverAndADrainMovesInstances() throws Exception {
        RemoteAgent a = node("a", "zone=x");
        node("b", "zone=y");
        RemoteAgent c = node("c", "zone=y");
        ClusterTest.awaitNodes(a, n -> n.equals(List.of("a", "b", "c")), Duration.ofSeconds(20));
        String leader = awaitLeader(c, l -> true, Duration.ofSeconds(20));

        c.call("POST", "/v1/services", "name: web\ncommand: " + Procs.httpServer() + "\ninstances: 2\nplacement: {spread: zone}\nping: {tcp: true}\n");
        JsonNode web = awaitRunning(a, "web", 2, on -> new TreeSet<>(on).size() == 2, Duration.ofSeconds(30));
        assertThat(nodesOf(web)).as("one in zone x (only a), one in zone y").contains("a").hasSize(2);
        assertThat(web.path("pending").asText()).isEmpty();

        a.call("POST", "/v1/services", "name: nowhere\ncommand: " + Procs.httpServer() + "\nplacement: {node-labels: {zone: z}}\n");
        JsonNode nowhere = c.await("nowhere", v -> !v.path("pending").asText().isEmpty());
        assertThat(nowhere.path("pending").asText()).isEqualTo("no node has label zone=z: a zone=x, b zone=y, c zone=y");
        assertThat(nowhere.path("reason").asText()).isEqualTo("pending: no node has label zone=z: a zone=x, b zone=y, c zone=y");
        assertThat(nowhere.path("instances")).isEmpty();

        nodes.get(leader).kill9();
        long killed = System.nanoTime();
        RemoteAgent survivor = nodes.entrySet().stream().filter(e -> !e.getKey().equals(leader)).findFirst().orElseThrow().getValue();
        String next = awaitLeader(survivor, l -> !l.equals(leader), FAILOVER);
        System.out.println("node " + next + " leads " + Duration.ofNanos(System.nanoTime() - killed).toMillis() + " ms after the leader " + leader + " was killed");
        web = awaitRunning(survivor, "web", 2, on -> !on.contains(leader), FAILOVER);
        System.out.println("web runs on " + nodesOf(web) + " " + Duration.ofNanos(System.nanoTime() - killed).toMillis() + " ms after the kill");

        String from = nodesOf(web).iterator().next();
        JsonNode drained = survivor.call("POST", "/v1/cluster/nodes/" + from + "/drain", null);
        assertThat(drained.path("drained").asBoolean()).isTrue();
        web = awaitRunning(survivor, "web", 2, on -> !on.contains(from) && !on.contains(leader), Duration.ofSeconds(30));
        assertThat(survivor.call("GET", "/v1/cluster/nodes", null).findValues("drained").stream().filter(JsonNode::asBoolean).count()).isEqualTo(1);
        JsonNode undrained = survivor.call("POST", "/v1/cluster/nodes/" + from + "/undrain", null);
        assertThat(undrained.path("drained").asBoolean()).isFalse();
    }
}
