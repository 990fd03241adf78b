package dev.steward.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Restarts with back-off, failure limits, stopping whole process groups. */
class SupervisionTest extends AgentTestBase {

    @Test
    void aKilledInstanceIsRestartedAtOnce() {
        agent.register("name: crashy\ncommand: " + Procs.httpServer() + "\nping: {http: /}\n");
        JsonNode first = agent.awaitState("crashy", "available").path("instances").get(0);
        Procs.kill9(first.path("pid").asLong());
        JsonNode v = agent.await("crashy", x -> x.path("state").asText().equals("available")
                && x.path("instances").get(0).path("restarts").asInt() == 1, Duration.ofSeconds(10));
        JsonNode again = v.path("instances").get(0);
        assertThat(again.path("id").asText()).isEqualTo(first.path("id").asText());
        assertThat(again.path("port").asInt()).isEqualTo(first.path("port").asInt());
        assertThat(again.path("pid").asLong()).isNotEqualTo(first.path("pid").asLong());
        assertThat(v.path("statistics").path("failures").asInt()).isEqualTo(1);
        assertThat(v.path("statistics").path("last-exit-reason").asText()).contains("signal 9");
    }

    @Test
    void theFailureLimitDisablesTheServiceWithTheReasonAndStartEnablesIt() {
        agent.register("""
                name: broken
                command: [/bin/sh, -c, 'echo failing; exit 3']
                restart: {delay: 10ms, max-delay: 10s, failures-limit: 4, window: 1m}
                """);
        // (a run as long as max-delay resets the count: a short max-delay made this fail on a busy machine,
        // where even `exit 3` can take 40 ms from spawn to exit)
        JsonNode v = agent.awaitState("broken", "disabled");
        assertThat(v.path("reason").asText()).contains("failure limit reached").contains("4 failures").contains("exit status 3");
        assertThat(v.path("statistics").path("failures").asInt()).isEqualTo(4);
        assertThat(v.path("instances")).isEmpty();
        agent.ok("POST", "/v1/services/broken/start", null);
        v = agent.service("broken");
        assertThat(v.path("state").asText()).isNotEqualTo("disabled");
        agent.awaitState("broken", "disabled");
    }

    @Test
    void backOffDoublesBetweenFailures() {
        agent.register("""
                name: slowfail
                command: [/bin/sh, -c, 'exit 1']
                restart: {delay: 200ms, max-delay: 10s, failures-limit: 4, window: 1m}
                """);
        long t0 = System.nanoTime();
        agent.awaitState("slowfail", "disabled");
        long ms = (System.nanoTime() - t0) / 1_000_000;
        // Three waits between four failures: 200 + 400 + 800 ms.
        assertThat(ms).isGreaterThanOrEqualTo(1400);
    }

    @Test
    void stopLeavesNoChildOrGrandchildBehind() {
        agent.register("""
                name: family
                command: [/bin/sh, -c, 'sleep 600 & (sleep 700 &) ; trap "" TERM; while true; do sleep 1; done']
                ping: {exec: ["true"]}
                """);
        long pid = agent.awaitState("family", "available").path("instances").get(0).path("pid").asLong();
        TestAgent.sleep(200);
        assertThat(Procs.group(pid)).hasSizeGreaterThanOrEqualTo(3);
        long t0 = System.nanoTime();
        agent.ok("POST", "/v1/services/family/stop", null);
        agent.awaitState("family", "stopped");
        // The shell ignores SIGTERM: it is killed after the grace period (2s in tests).
        assertThat((System.nanoTime() - t0) / 1_000_000).isGreaterThanOrEqualTo(1500);
        TestAgent.sleep(100);
        assertThat(Procs.group(pid)).isEmpty();
    }

    @Test
    void whenTheLeaderDiesItsGroupGoesWithIt() {
        agent.register("""
                name: orphaner
                command: [/bin/sh, -c, 'sleep 600 & wait']
                ping: {exec: ["true"]}
                restart: {delay: 5s}
                """);
        long pid = agent.awaitState("orphaner", "available").path("instances").get(0).path("pid").asLong();
        TestAgent.sleep(200);
        assertThat(Procs.group(pid)).hasSize(2);
        Procs.kill9(pid);
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!Procs.group(pid).isEmpty() && System.nanoTime() < deadline) TestAgent.sleep(20);
        assertThat(Procs.group(pid)).isEmpty();
    }

    @Test
    void aCleanExitOfAPermanentServiceIsRestartedWithoutCountingAFailure() {
        agent.register("""
                name: oneshot
                command: [/bin/sh, -c, 'sleep 0.2; exit 0']
                ping: {exec: ["true"]}
                restart: {delay: 10ms, failures-limit: 1}
                """);
        JsonNode v = agent.await("oneshot", x -> x.path("instances").size() == 1
                && x.path("instances").get(0).path("restarts").asInt() >= 2, Duration.ofSeconds(10));
        assertThat(v.path("state").asText()).isNotEqualTo("disabled");
        assertThat(v.path("statistics").path("failures").asInt()).isZero();
    }

    @Test
    void aCommandThatCannotStartIsAFailureWithItsReason() {
        agent.register("""
                name: nosuch
                command: [/no/such/program]
                restart: {delay: 10ms, failures-limit: 2}
                """);
        JsonNode v = agent.awaitState("nosuch", "disabled");
        assertThat(v.path("reason").asText()).contains("failure limit reached");
        assertThat(v.path("statistics").path("last-exit-reason").asText()).isNotEmpty();
    }
}
