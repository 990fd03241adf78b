package dev.steward.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.steward.agent.dynamic.Dynamics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Dynamic services (issue 14): instances of a two-part service opened, reached, isolated, closed. */
class DynamicServicesTest {
    @TempDir Path tmp;
    TestAgent agent;
    final List<String> events = new java.util.concurrent.CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        Assumptions.assumeTrue(Dynamics.unavailable() == null, "this machine cannot run dynamic services: " + Dynamics.unavailable());
        agent = TestAgent.start(tmp.resolve("data"));
        agent.follow("/v1/events", events);
    }

    @AfterEach
    void stop() throws Exception {
        if (agent != null) agent.close();
        DynamicRig.cleanUp(tmp.resolve("data"));
    }

    private int gatewayPort() {
        return agent.agent().gatewayPort();
    }

    private JsonNode open(String service) {
        TestAgent.Res r = agent.call("POST", "/v1/services/" + service + "/open", null);
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json();
    }

    @Test
    void twoPartsAreReachedByTheInstancesHostAndPathAndCloseLeavesNothing() throws Exception {
        agent.register(DynamicRig.spec(tmp, "notebook", null));
        JsonNode v = open("notebook");
        String uuid = v.path("uuid").asText();
        assertThat(v.path("state").asText()).as(v.toString()).isEqualTo("running");
        assertThat(v.path("url").asText()).isEqualTo("http://" + uuid + ".services.localhost:" + gatewayPort() + "/");
        assertThat(v.path("path").asText()).isEqualTo("/x/" + uuid + "/");
        assertThat(v.path("parts").path("helper").asText()).isEqualTo("running");

        TestAgent.Res byHost = DynamicRig.get(gatewayPort(), uuid + ".services.localhost:" + gatewayPort(), "/");
        assertThat(byHost.status()).as(byHost.body()).isEqualTo(200);
        assertThat(byHost.body()).startsWith("web sees: helper here");
        TestAgent.Res byPath = DynamicRig.get(gatewayPort(), "127.0.0.1", "/x/" + uuid + "/");
        assertThat(byPath.status()).as(byPath.body()).isEqualTo(200);
        assertThat(byPath.body()).startsWith("web sees: helper here");

        assertThat(agent.get("/v1/services/notebook/opened")).extracting(n -> n.path("uuid").asText()).containsExactly(uuid);
        for (String step : List.of("create namespace", "restore state", "copy inputs", "start part helper", "ping part helper",
                "start part web", "wait for entrypoint", "route")) {
            TestAgent.awaitLine(events, "\"step\":\"" + step + "\"");
        }
        assertThat(events.stream().filter(e -> e.contains("\"step\":\"start part helper\"")).findFirst().orElseThrow())
                .contains("\"millis\":").contains("\"ok\":true").contains(uuid);
        int helperIndex = indexOf("start part helper");
        assertThat(helperIndex).isLessThan(indexOf("start part web"));

        JsonNode closed = agent.ok("POST", "/v1/dynamic/" + uuid + "/close", null).path("closed");
        assertThat(closed.path("state").asText()).as(closed.toString()).isEqualTo("complete");
        DynamicRig.assertGone(tmp.resolve("data"), uuid);
        assertThat(agent.call("GET", "/v1/dynamic/" + uuid, null).status()).isEqualTo(404);
        assertThat(DynamicRig.get(gatewayPort(), "127.0.0.1", "/x/" + uuid + "/").status()).isEqualTo(404);
        assertThat(agent.get("/v1/services/notebook/opened")).isEmpty();
    }

    private int indexOf(String step) {
        for (int i = 0; i < events.size(); i++) {
            if (events.get(i).contains("\"step\":\"" + step + "\"")) return i;
        }
        return -1;
    }
}
