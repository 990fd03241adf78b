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
        // while no agent runs, the parts of one instance die: it is failed when picked up, its state saved before it is removed
        String lost = uuids.remove(2);
        String ns = "steward-" + dev.steward.agent.isolate.NodeScope.of(data).id() + "-" + lost;
        for (String pid : DynamicRig.run("ip", "netns", "pids", ns).body().split("\\s+")) {
            if (!pid.isBlank()) Procs.kill9(Long.parseLong(pid));
        }
        assertThat(data.resolve("dynamic-state")).as("nothing saved yet").doesNotExist();

        RemoteAgent b = RemoteAgent.start(data, tmp, null, agents);
        JsonNode opened = b.call("GET", "/v1/services/notebook/opened", null);
        assertThat(opened).extracting(n -> n.path("uuid").asText()).containsExactlyInAnyOrderElementsOf(java.util.stream.Stream.concat(uuids.stream(),
                java.util.stream.Stream.of(lost)).toList());
        for (JsonNode v : opened) {
            if (v.path("uuid").asText().equals(lost)) {
                assertThat(v.path("state").asText()).as(v.toString()).isEqualTo("failed");
                assertThat(v.path("reason").asText()).startsWith("picked up after an agent restart without helper, web");
                continue;
            }
            assertThat(v.path("state").asText()).as(v.toString()).isEqualTo("running");
            assertThat(v.path("reason").asText()).isEqualTo("picked up after an agent restart");
        }
        DynamicRig.assertGone(data, lost);
        assertThat(data.resolve("dynamic-state/notebook/admin/work/count")).as("the lost instance's state, saved before its folder went").hasContent("1");
        assertThat(b.call("POST", "/v1/dynamic/" + lost + "/close", null).path("closed").path("state").asText()).isEqualTo("complete");
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

    /** The python3 processes in {@code uuid}'s namespace running {@code program} (not the sandbox's processes around them). */
    private static List<Long> running(Path data, String uuid, String program) throws Exception {
        String ns = "steward-" + dev.steward.agent.isolate.NodeScope.of(data).id() + "-" + uuid;
        List<Long> found = new ArrayList<>();
        for (String pid : DynamicRig.run("ip", "netns", "pids", ns).body().split("\\s+")) {
            if (pid.isBlank()) continue;
            String[] argv = DynamicRig.cmdline(pid).split("\0");
            if (argv.length > 1 && argv[0].endsWith("python3") && argv[1].endsWith(program)) found.add(Long.parseLong(pid));
        }
        return found;
    }

    private static JsonNode view(RemoteAgent agent, String uuid) {
        try {
            return agent.call("GET", "/v1/dynamic/" + uuid, null);
        } catch (Exception e) {
            return com.fasterxml.jackson.databind.node.MissingNode.getInstance(); // not answering yet: asked again
        }
    }

    @Test
    void aPartWaitingOutItsBackOffWhenTheAgentIsKilledIsStartedAgainOnceByTheNextAgent() throws Exception {
        Assumptions.assumeTrue(Dynamics.unavailable() == null, "this machine cannot run dynamic services: " + Dynamics.unavailable());
        Path data = tmp.resolve("data");
        RemoteAgent a = RemoteAgent.start(data, tmp, null, agents);
        a.call("POST", "/v1/services", DynamicRig.spec(tmp, "notebook", null)
                .replace("ping: {tcp: true, interval: 50ms}}", "ping: {tcp: true, interval: 50ms}, restart: {delay: 3s}}"));
        JsonNode v = a.call("POST", "/v1/services/notebook/open", null);
        assertThat(v.path("state").asText()).as(v.toString()).isEqualTo("running");
        String uuid = v.path("uuid").asText();
        List<Long> helper = running(data, uuid, "helper.py");
        assertThat(helper).hasSize(1);
        Procs.kill9(helper.get(0));
        TestAgent.awaitTrue("the helper waiting out its 3s back-off", () -> {
            JsonNode now = view(a, uuid);
            return now.path("parts").path("helper").asText().equals("starting") && now.path("reason").asText().contains("started again in 3s");
        }, java.time.Duration.ofSeconds(30));
        a.kill9();
        assertThat(running(data, uuid, "helper.py")).as("not started again before the agent went").isEmpty();

        RemoteAgent b = RemoteAgent.start(data, tmp, null, agents);
        JsonNode[] seen = new JsonNode[1];
        try {
            TestAgent.awaitTrue("the instance running again with its helper started again", () -> {
                seen[0] = view(b, uuid);
                return seen[0].path("state").asText().equals("running");
            }, java.time.Duration.ofSeconds(60));
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; last seen " + seen[0] + "; its events: "
                    + b.send("GET", "/v1/events?follow=false&instance=" + uuid, null).body() + "; the agent said: " + b.said(), e);
        }
        assertThat(seen[0].path("parts").path("helper").asText()).isEqualTo("running");
        assertThat(seen[0].path("restarts").path("helper").asInt()).as(seen[0].toString()).isEqualTo(1);
        assertThat(seen[0].path("reason").asText()).isEqualTo("part helper started again");
        assertThat(running(data, uuid, "helper.py")).as("started again once, not twice").hasSize(1);
        assertThat(running(data, uuid, "web.py")).as("the web part, picked up as it ran").hasSize(1);
        TestAgent.Res page = DynamicRig.get(port(b), "127.0.0.1", "/x/" + uuid + "/", b.token);
        assertThat(page.status()).as(page.body()).isEqualTo(200);
        assertThat(page.body()).startsWith("web sees: helper here; count=1");
        Thread.sleep(500); // nothing more is due: a second start of the helper would show now
        assertThat(running(data, uuid, "helper.py")).hasSize(1);
        assertThat(b.call("POST", "/v1/dynamic/" + uuid + "/close", null).path("closed").path("state").asText()).isEqualTo("complete");
        DynamicRig.assertGone(data, uuid);
    }
}
