package dev.steward.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.steward.agent.dynamic.Dynamics;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An agent killed with SIGKILL while dynamic services' instances are open picks them up again, with their UUIDs and routes. */
class DynamicRestartTest {
    @TempDir Path tmp;
    final List<Process> agents = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        agents.forEach(Process::destroyForcibly);
        for (Process p : agents) p.waitFor();
        DynamicRig.cleanUp(tmp.resolve("data"));
    }

    private static int port(RemoteAgent a) throws Exception {
        String g = a.gateway().replaceAll("/+$", "");
        return Integer.parseInt(g.substring(g.lastIndexOf(':') + 1));
    }

    @Test
    void openInstancesArePickedUpAfterAnAgentSigkill() throws Exception {
        Assumptions.assumeTrue(Dynamics.unavailable() == null, "this machine cannot run dynamic services: " + Dynamics.unavailable());
        Path data = tmp.resolve("data");
        RemoteAgent a = RemoteAgent.start(data, tmp, null, agents);
        a.call("POST", "/v1/services", DynamicRig.spec(tmp, "notebook", null));
        List<String> uuids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            JsonNode v = a.call("POST", "/v1/services/notebook/open", null);
            assertThat(v.path("state").asText()).as(v.toString()).isEqualTo("running");
            uuids.add(v.path("uuid").asText());
        }
        a.kill9();

        RemoteAgent b = RemoteAgent.start(data, tmp, null, agents);
        JsonNode opened = b.call("GET", "/v1/services/notebook/opened", null);
        assertThat(opened).extracting(n -> n.path("uuid").asText()).containsExactlyInAnyOrderElementsOf(uuids);
        for (JsonNode v : opened) {
            assertThat(v.path("state").asText()).as(v.toString()).isEqualTo("running");
            assertThat(v.path("reason").asText()).isEqualTo("picked up after an agent restart");
        }
        int gw = port(b);
        for (String uuid : uuids) {
            TestAgent.Res byHost = DynamicRig.get(gw, uuid + ".services.localhost", "/", b.token);
            assertThat(byHost.status()).as(byHost.body()).isEqualTo(200);
            assertThat(byHost.body()).startsWith("web sees: helper here; count=");
            assertThat(DynamicRig.get(gw, "127.0.0.1", "/x/" + uuid + "/", b.token).status()).isEqualTo(200);
        }
        for (String uuid : uuids) {
            assertThat(b.call("POST", "/v1/dynamic/" + uuid + "/close", null).path("closed").path("state").asText()).isEqualTo("complete");
            DynamicRig.assertGone(data, uuid);
        }
    }
}
