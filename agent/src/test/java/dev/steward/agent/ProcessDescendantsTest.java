package dev.steward.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.steward.agent.isolate.NodeScope;
import dev.steward.agent.isolate.cgroup.Cgroups;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A process-isolate instance is tracked in a cgroup of its own, as root: whatever its program forks
 * into other sessions and process groups, nothing outlives the instance, and its usage is the group's.
 */
class ProcessDescendantsTest extends AgentTestBase {
    /** Forks four escapees (setsid -f, a double-forked daemon, a new process group, a new session), writes their pids, then READY. */
    private static final String ESCAPER = """
            import os, subprocess, sys, time
            def away(name, detach):
                pid = os.fork()
                if pid == 0:
                    detach()
                    open(name + '.pid', 'w').write(str(os.getpid()))
                    time.sleep(1000)
                    os._exit(0)
            subprocess.Popen(['setsid', '-f', 'sh', '-c', 'echo $$ > setsid.pid; exec sleep 1000'])
            middle = os.fork()
            if middle == 0:
                os.setsid()
                away('daemon', lambda: None)
                os._exit(0)
            os.waitpid(middle, 0)
            away('pgroup', lambda: os.setpgid(0, 0))
            away('session', os.setsid)
            while not all(os.path.exists(n + '.pid') for n in ['setsid', 'daemon', 'pgroup', 'session']):
                time.sleep(0.01)
            open('ready', 'w').write('')
            if sys.argv[1] == 'exit':
                sys.exit(3)
            time.sleep(1000)
            """;
    /** No restart within the test: what ended stays ended. */
    private static final String NO_RESTART = "restart: {delay: 10m, max-delay: 10m}\n";
    private static final List<String> ESCAPEES = List.of("setsid", "daemon", "pgroup", "session");
    private final List<Process> remotes = new ArrayList<>();
    private final List<Long> strays = new ArrayList<>();
    private Path work;

    @BeforeEach
    void requireCgroups() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "tracking processes in cgroups needs root");
        assumeTrue(Cgroups.detect(Path.of("/sys/fs/cgroup"), "probe").isPresent(), "no usable cgroups here");
        work = Files.createDirectories(tmp.resolve("work"));
        Files.writeString(work.resolve("escaper.py"), ESCAPER);
    }

    @AfterEach
    void killStrays() throws Exception {
        remotes.forEach(Process::destroyForcibly);
        Procs.killLeftovers(tmp.resolve("remote"), strays);
    }

    String spec(String mode, String more) {
        return "name: escapes\ndir: " + work + "\ncommand: [python3, escaper.py, " + mode + "]\nisolate: process\n" + more;
    }

    /** The escapees' pids, once the program has written them all. */
    List<Long> escapees() throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!Files.exists(work.resolve("ready"))) {
            assertThat(System.nanoTime()).as("the program never got ready").isLessThan(deadline);
            TestAgent.sleep(20);
        }
        List<Long> pids = new ArrayList<>();
        for (String n : ESCAPEES) pids.add(Long.parseLong(Files.readString(work.resolve(n + ".pid")).strip()));
        strays.addAll(pids);
        return pids;
    }

    /** Waits (bounded) until none of {@code pids} is alive; fails naming the survivors. */
    static void awaitGone(List<Long> pids) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (pids.stream().anyMatch(Procs::alive)) {
            assertThat(System.nanoTime()).as("still alive: " + pids.stream().filter(Procs::alive).toList()).isLessThan(deadline);
            TestAgent.sleep(20);
        }
    }

    /** Waits until the service's last instance ended as {@code reason}. */
    void lastExit(String service, String reason) {
        agent.await(service, v -> v.path("statistics").path("last-exit-reason").asText().equals(reason), Duration.ofSeconds(20));
    }

    @Test
    void stopLeavesNoDescendantAndUsageComesFromTheCgroup() throws Exception {
        agent.register(spec("stay", "ping: {exec: [test, -f, ready], interval: 100ms}\n"));
        JsonNode instance = agent.awaitState("escapes", "available").path("instances").get(0);
        List<Long> pids = escapees();
        assertThat(pids).allMatch(Procs::alive);
        String group = "/steward/" + NodeScope.of(agent.dataDir).id() + "/escapes/" + instance.path("id").asText();
        for (long pid : pids) assertThat(Files.readString(Path.of("/proc", Long.toString(pid), "cgroup"))).as("pid " + pid).contains(group);

        JsonNode usage = agent.service("escapes").path("instances").get(0).path("usage");
        assertThat(usage.path("pids").asLong()).as(usage.toString()).isGreaterThanOrEqualTo(5);
        assertThat(usage.path("cpu-nanos").asLong()).as(usage.toString()).isPositive();
        assertThat(usage.path("memory-bytes").asLong()).as(usage.toString()).isPositive();

        agent.ok("POST", "/v1/services/escapes/stop", null);
        agent.awaitState("escapes", "stopped");
        awaitGone(pids);
    }

    @Test
    void whenTheProgramExitsNothingItStartedSurvives() throws Exception {
        agent.register(spec("exit", "ping: none\n" + NO_RESTART));
        List<Long> pids = escapees();
        lastExit("escapes", "exit status 3");
        awaitGone(pids);
    }

    @Test
    void anAdoptedInstanceIsFoundInItsCgroupAndLeavesNothingWhenStopped() throws Exception {
        Path data = tmp.resolve("remote");
        RemoteAgent first = RemoteAgent.start(data, tmp, null, remotes);
        first.call("POST", "/v1/services", spec("stay", "ping: {exec: [test, -f, ready], interval: 100ms}\n"));
        long leader = first.await("escapes", v -> v.path("state").asText().equals("available")).path("instances").get(0).path("pid").asLong();
        strays.add(leader);
        List<Long> pids = escapees();
        assertThat(pids).allMatch(Procs::alive);
        first.kill9();

        RemoteAgent second = RemoteAgent.start(data, tmp, null, remotes);
        JsonNode again = second.await("escapes", v -> v.path("state").asText().equals("available")
                && v.path("instances").get(0).path("reason").asText().startsWith("adopted")).path("instances").get(0);
        assertThat(again.path("pid").asLong()).isEqualTo(leader);
        assertThat(again.path("reason").asText()).contains("adopted");
        assertThat(again.path("usage").path("pids").asLong()).as(again.toString()).isGreaterThanOrEqualTo(5);
        second.call("POST", "/v1/services/escapes/stop", null);
        second.await("escapes", v -> v.path("state").asText().equals("stopped"));
        awaitGone(pids);
        assertThat(Procs.alive(leader)).isFalse();
    }

    @Test
    void aMissingProgramIsStillRefusedAtSpawn() {
        agent.register("name: missing\ncommand: [no-such-program-here]\nisolate: process\nping: none\n" + NO_RESTART);
        lastExit("missing", "cannot start: cannot run no-such-program-here: No such file or directory");
    }
}
