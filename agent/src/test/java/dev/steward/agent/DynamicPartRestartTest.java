package dev.steward.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A part that ends while its instance runs (issue 14): started again with back-off, or, when it keeps ending, the instance failed. */
class DynamicPartRestartTest extends DynamicAgentTest {
    private String open(String service) {
        TestAgent.Res r = agent.call("POST", "/v1/services/" + service + "/open", null);
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        assertThat(r.json().path("state").asText()).as(r.body()).isEqualTo("running");
        return r.json().path("uuid").asText();
    }

    private TestAgent.Res page(String uuid) throws Exception {
        return DynamicRig.get(agent.agent().gatewayPort(), "127.0.0.1", "/x/" + uuid + "/", agent.token);
    }

    /** SIGKILLs the processes of {@code uuid}'s namespace whose command line names {@code program}; how many. */
    private int kill(String uuid, String program) throws Exception {
        String ns = "steward-" + dev.steward.agent.isolate.NodeScope.of(tmp.resolve("data")).id() + "-" + uuid;
        int killed = 0;
        for (String pid : DynamicRig.run("ip", "netns", "pids", ns).body().split("\\s+")) {
            if (pid.isBlank()) continue;
            if (DynamicRig.cmdline(pid).contains(program)) {
                Procs.kill9(Long.parseLong(pid));
                killed++;
            }
        }
        return killed;
    }

    private String awaitEvent(String uuid, int after, String... parts) {
        return DynamicRig.awaitEvent(events, uuid, after, parts);
    }

    @Test
    void aPartThatEndsIsStartedAgainAndTheInstanceRunsAgainWithItsState() throws Exception {
        String spec = DynamicRig.spec(tmp, "notebook", null)
                .replace("ping: {tcp: true, interval: 50ms}}", "ping: {tcp: true, interval: 50ms}, restart: {delay: 300ms}}");
        agent.register(spec);
        String uuid = open("notebook");
        assertThat(page(uuid).body()).startsWith("web sees: helper here; count=1");

        int before = events.size();
        assertThat(kill(uuid, "helper.py")).isPositive();
        String ended = awaitEvent(uuid, before, "\"type\":\"dynamic\"", "\"state\":\"starting\"");
        assertThat(ended).contains("part helper exited: ").contains("; started again in 300ms (1 of 5 within 10m)").doesNotContain("Code[");
        assertThat(awaitEvent(uuid, before, "\"step\":\"restart part helper\"")).contains("\"ok\":true");
        assertThat(awaitEvent(uuid, before, "\"step\":\"ping part helper\"")).contains("\"ok\":true");
        assertThat(awaitEvent(uuid, before, "\"type\":\"dynamic\"", "\"state\":\"running\"")).contains("part helper started again");
        JsonNode v = agent.get("/v1/dynamic/" + uuid);
        assertThat(v.path("state").asText()).isEqualTo("running");
        assertThat(v.path("parts").path("helper").asText()).isEqualTo("running");
        assertThat(v.path("restarts").path("helper").asInt()).isEqualTo(1);
        assertThat(page(uuid).body()).as("the web part reaches the new helper").startsWith("web sees: helper here; count=1");

        // the entrypoint too: unrouted while it starts again, then reached, its state folder as it left it
        before = events.size();
        assertThat(kill(uuid, "web.py")).isPositive();
        awaitEvent(uuid, before, "\"step\":\"restart part web\"", "\"ok\":true");
        awaitEvent(uuid, before, "\"step\":\"wait for entrypoint\"", "\"ok\":true");
        awaitEvent(uuid, before, "\"type\":\"dynamic\"", "\"state\":\"running\"", "part web started again");
        TestAgent.Res again = page(uuid);
        assertThat(again.status()).as(again.body()).isEqualTo(200);
        assertThat(again.body()).as("the state kept: the web part counts its starts there").startsWith("web sees: helper here; count=2");
        assertThat(agent.get("/v1/dynamic/" + uuid).path("restarts").path("web").asInt()).isEqualTo(1);
        JsonNode closed = agent.ok("POST", "/v1/dynamic/" + uuid + "/close", null).path("closed");
        assertThat(closed.path("state").asText()).as(closed.toString()).isEqualTo("complete");
        DynamicRig.assertGone(tmp.resolve("data"), uuid);
        assertThat(tmp.resolve("data/dynamic-state/notebook/admin/work/count")).hasContent("2");
    }

    @Test
    void aPartThatKeepsEndingFailsTheInstanceWithTheReasonAndItsStateSaved() throws Exception {
        DynamicRig.spec(tmp, "unused", null); // writes the programs
        agent.register("""
                name: flaky
                parts:
                  web: {command: [python3, %s], needs: [helper]}
                  helper: {command: "if [ -e crash ]; then echo crashing; exit 3; fi; exec python3 %s", port: 9000,
                           ping: {tcp: true, interval: 50ms}, restart: {delay: 50ms, failures-limit: 3, window: 1m}}
                entrypoint: web:8080
                paths: {state: [/work]}
                """.formatted(tmp.resolve("web.py"), tmp.resolve("helper.py")));
        String uuid = open("flaky");
        int before = events.size();
        Files.writeString(tmp.resolve("data/dynamic/" + uuid + "/crash"), "");
        assertThat(kill(uuid, "helper.py")).isPositive();
        String failed = awaitEvent(uuid, before, "\"type\":\"dynamic\"", "\"state\":\"failed\"");
        assertThat(failed).contains("ping part helper: part helper exited: exit status 3 (3 of 3 within 1m: not started again)");
        // the last save follows the failed state's event (the instance is failed first, then its state saved)
        TestAgent.awaitTrue("the state saved after the failure", () -> {
            List<String> now = List.copyOf(events);
            return now.subList(before, now.size()).stream().filter(e -> e.contains(uuid) && e.contains("\"step\":\"save state\"")).count() >= 3;
        }, java.time.Duration.ofSeconds(30));
        List<String> mine = events.subList(before, events.size()).stream().filter(e -> e.contains(uuid)).toList();
        assertThat(mine.stream().filter(e -> e.contains("\"step\":\"restart part helper\"") && e.contains("\"ok\":true"))).as("started again twice").hasSize(2);
        assertThat(mine.stream().filter(e -> e.contains("\"step\":\"ping part helper\"") && e.contains("\"ok\":false"))).hasSize(2);
        assertThat(mine.stream().filter(e -> e.contains("\"step\":\"save state\"") && e.contains("\"ok\":true"))).as("its state saved at each end").hasSize(3);
        JsonNode v = agent.get("/v1/dynamic/" + uuid);
        assertThat(v.path("state").asText()).isEqualTo("failed");
        assertThat(v.path("parts").path("helper").asText()).isEqualTo("failed");
        assertThat(v.path("routed").asBoolean()).isFalse();
        assertThat(tmp.resolve("data/dynamic-state/flaky/admin/work/count")).as("the web part's count, saved").hasContent("1");
        assertThat(v.path("restarts").path("helper").asInt()).as("never running again").isZero();
        agent.ok("POST", "/v1/dynamic/" + uuid + "/close", null);
        DynamicRig.assertGone(tmp.resolve("data"), uuid);
    }
}
