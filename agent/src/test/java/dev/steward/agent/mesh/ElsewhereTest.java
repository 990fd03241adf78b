package dev.steward.agent.mesh;

import static org.assertj.core.api.Assertions.assertThat;

import dev.steward.agent.Json;
import dev.steward.agent.store.InstanceRecord;
import dev.steward.agent.traffic.Endpoint;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ElsewhereTest {
    static String record(String id, String service, String host, int port, boolean ready, boolean paused) {
        return Json.write(new InstanceRecord(id, service, 10, 1, port, 1, 0, "", paused, host, ready));
    }

    @Test
    void onlyReadyInstancesOfOtherLiveNodesWithAnAddressAreReached() {
        Map<String, String> records = Map.of(
                "local/b/instances/web/1", record("1", "web", "127.0.0.3", 8001, true, false),
                "local/b/instances/web/2", record("2", "web", "127.0.0.3", 8002, false, false),
                "local/b/instances/web/3", record("3", "web", "127.0.0.3", 8003, true, true),
                "local/a/instances/web/4", record("4", "web", "127.0.0.2", 8004, true, false),
                "local/c/instances/web/5", record("5", "web", "127.0.0.4", 8005, true, false),
                "local/b/instances/db/6", record("6", "db", null, 8006, true, false),
                "local/b/engine/x", "{}");
        Map<String, List<Endpoint>> t = Elsewhere.table(records, Set.of("a", "b"), "a");
        assertThat(t).containsOnlyKeys("web");
        assertThat(t.get("web")).as("not unready, paused, this node's, a gone node's, nor one without an address")
                .containsExactly(new Endpoint("1", "127.0.0.3", 8001, "b"));
    }
}
