package dev.steward.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.steward.agent.isolate.NodeScope;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The sandbox isolate on this machine, as root: limits, namespaces, pause and resume, usage, cleanup. */
class SandboxTest extends AgentTestBase {
    Path work;

    @BeforeEach
    void requireSandbox() throws Exception {
        var unavailable = agent.get("/v1/agent").path("isolates").path("unavailable").path("sandbox");
        assumeTrue(unavailable.isMissingNode(), "the sandbox isolate cannot run here: " + unavailable.asText());
        work = Files.createDirectories(tmp.resolve("work"));
    }

    JsonNode running(String name) {
        return agent.await(name, v -> v.path("state").asText().equals("available"), Duration.ofSeconds(20)).path("instances").get(0);
    }

    @Test
    void aMemoryHogIsKilledAndReportedOutOfMemory() {
        agent.register("""
                name: hog
                command: [python3, -c, "a = []\\nwhile True: a.append(bytearray(1 << 20))"]
                resources: {memory: 48Mi}
                ping: none
                restart: {failures-limit: 1}
                """);
        JsonNode v = agent.awaitState("hog", "disabled");
        assertThat(v.path("statistics").path("last-exit-reason").asText()).startsWith("out of memory");
        assertThat(v.path("reason").asText()).contains("out of memory");
    }

    @Test
    void aForkBombIsHeldAtThePidsLimit() {
        agent.register("""
                name: bomb
                command: [python3, -c, "import os, time\\nwhile True:\\n  try:\\n    if os.fork() == 0:\\n      time.sleep(600)\\n      os._exit(0)\\n  except OSError:\\n    time.sleep(0.01)"]
                resources: {pids: 16}
                ping: none
                """);
        String id = running("bomb").path("id").asText();
        // the bomb forks as fast as the machine lets it: wait until it has reached the limit's neighbourhood
        JsonNode inst = agent.await("bomb", v -> v.path("instances").path(0).path("usage").path("pids").asLong() >= 12, java.time.Duration.ofSeconds(60))
                .path("instances").get(0);
        assertThat(inst.path("state").asText()).as(agent.call("GET", "/v1/services/bomb/logs", null).body()).isEqualTo("running");
        assertThat(inst.path("id").asText()).isEqualTo(id);
        assertThat(inst.path("usage").path("pids").asLong()).as(inst + agent.call("GET", "/v1/services/bomb/logs", null).body()).isBetween(12L, 16L);
        assertThat(inst.path("state").asText()).isEqualTo("running");
    }

    @Test
    void aCpuSpinnerIsHeldNearItsQuota() {
        agent.register("""
                name: spin
                command: [python3, -c, "while True: pass"]
                resources: {cpu: 0.2}
                ping: none
                """);
        running("spin");
        long c0 = agent.service("spin").path("instances").get(0).path("usage").path("cpu-nanos").asLong();
        long t0 = System.nanoTime();
        TestAgent.sleep(3000);
        long c1 = agent.service("spin").path("instances").get(0).path("usage").path("cpu-nanos").asLong();
        double share = (double) (c1 - c0) / (System.nanoTime() - t0);
        assertThat(share).isBetween(0.1, 0.3);
    }

    @Test
    void anInstanceSeesOnlyItsOwnProcessesAndCannotSignalTheAgent() throws Exception {
        long agentPid = ProcessHandle.current().pid();
        agent.register("name: nosy\ndir: " + work + "\ncommand: [/bin/sh, -c, 'ls /proc | grep -c \"^[0-9]*$\" > seen; kill -0 "
                + agentPid + " 2> killed; echo $? >> killed; echo $$ > mypid; exec sleep 600']\nisolate: sandbox\nping: {exec: [test, -f, " + work.resolve("mypid") + "]}\n");
        running("nosy");
        assertThat(Integer.parseInt(Files.readString(work.resolve("seen")).strip())).isLessThanOrEqualTo(4);
        assertThat(Files.readString(work.resolve("killed"))).contains("1");
        assertThat(Files.readString(work.resolve("mypid")).strip()).isEqualTo("2");
    }

    @Test
    void pauseStopsProgressAndResumeRestartsIt() throws Exception {
        agent.register("name: tick\ndir: " + work + "\ncommand: [/bin/sh, -c, 'while true; do echo x >> ticks; sleep 0.05; done']\nisolate: sandbox\nping: none\n");
        running("tick");
        TestAgent.awaitTrue("the program ticks", () -> Files.exists(work.resolve("ticks")), java.time.Duration.ofSeconds(30));
        JsonNode paused = agent.ok("POST", "/v1/services/tick/pause", null);
        assertThat(paused.path("instances").get(0).path("state").asText()).isEqualTo("paused");
        long before = Files.size(work.resolve("ticks"));
        TestAgent.sleep(500);
        assertThat(Files.size(work.resolve("ticks"))).isEqualTo(before);
        assertThat(agent.call("POST", "/v1/services/tick/pause", null).status()).isEqualTo(409);
        agent.ok("POST", "/v1/services/tick/resume", null);
        TestAgent.awaitTrue("the program ticks again", () -> work.resolve("ticks").toFile().length() > before, java.time.Duration.ofSeconds(30));
        assertThat(agent.service("tick").path("instances").get(0).path("state").asText()).isEqualTo("running");
        assertThat(agent.call("POST", "/v1/services/tick/resume", null).status()).isEqualTo(409);
    }

    @Test
    void aPausedInstanceStillStops() {
        agent.register("name: frozen\ncommand: [sleep, \"600\"]\nisolate: sandbox\nping: none\n");
        running("frozen");
        agent.ok("POST", "/v1/services/frozen/pause", null);
        agent.ok("POST", "/v1/services/frozen/stop", null);
        agent.awaitState("frozen", "stopped");
    }

    @Test
    void stoppingRemovesTheCgroupAndEveryProcess() throws Exception {
        agent.register("name: tidy\ncommand: [/bin/sh, -c, 'sleep 600 & sleep 600 & wait']\nresources: {memory: 64Mi}\nping: none\n");
        JsonNode i = running("tidy");
        String scope = NodeScope.of(agent.dataDir).id();
        Path cg = Path.of("/sys/fs/cgroup/memory/steward", scope, "tidy", i.path("id").asText());
        Path cg2 = Path.of("/sys/fs/cgroup/steward", scope, "tidy", i.path("id").asText());
        assertThat(Files.isDirectory(cg) || Files.isDirectory(cg2)).isTrue();
        agent.ok("POST", "/v1/services/tidy/stop", null);
        agent.awaitState("tidy", "stopped");
        assertThat(Files.exists(cg) || Files.exists(cg2)).isFalse();
        assertThat(Procs.alive(i.path("pid").asLong())).isFalse();
    }

    @Test
    void aSandboxThatIgnoresSigtermIsKilledAfterTheGrace() {
        agent.register("name: stubborn\ndir: " + work + "\ncommand: [/bin/sh, -c, 'trap \"\" TERM; : > trapped; while true; do sleep 0.1; done']\n"
                + "isolate: sandbox\nping: {exec: [test, -f, trapped], interval: 50ms}\n");
        JsonNode i = running("stubborn");
        long t0 = System.nanoTime();
        agent.ok("POST", "/v1/services/stubborn/stop", null);
        agent.awaitState("stubborn", "stopped");
        assertThat((System.nanoTime() - t0) / 1_000_000).isBetween(1500L, 6000L);
        assertThat(Procs.alive(i.path("pid").asLong())).isFalse();
    }

    @Test
    void aSandboxCanRunAsAnotherUserWithoutNewPrivileges() throws Exception {
        // The other user must be able to reach and write its working directory.
        tmp.toFile().setExecutable(true, false);
        work.toFile().setWritable(true, false);
        work.toFile().setExecutable(true, false);
        agent.register("name: who\ndir: " + work + "\nuser: nobody\nisolate: sandbox\nping: none\n"
                + "command: [/bin/sh, -c, 'id -u > " + work.resolve("uid") + "; grep NoNewPrivs /proc/self/status > " + work.resolve("nnp") + "; exec sleep 600']\n");
        running("who");
        long deadline = System.nanoTime() + 5_000_000_000L;
        // the shell creates the file before grep writes into it: wait for its content
        while (!(Files.exists(work.resolve("nnp")) && Files.size(work.resolve("nnp")) > 0) && System.nanoTime() < deadline) TestAgent.sleep(20);
        assertThat(Files.readString(work.resolve("uid")).strip()).isEqualTo("65534");
        assertThat(Files.readString(work.resolve("nnp"))).contains("1");
    }

    @Test
    void anIsolatedNetworkHasOnlyLoopback() throws Exception {
        int apiPort = Integer.parseInt(agent.base.substring(agent.base.lastIndexOf(':') + 1));
        agent.register("name: netless\ndir: " + work + "\nisolate: {type: sandbox, options: {network: none}}\nping: none\n"
                + "command: [python3, -c, \"import socket\\ntry:\\n  socket.create_connection(('127.0.0.1', " + apiPort
                + "), 1); open('result','w').write('reached')\\nexcept OSError as e: open('result','w').write('refused')\\nimport time; time.sleep(600)\"]\n");
        running("netless");
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!(Files.exists(work.resolve("result")) && Files.size(work.resolve("result")) > 0) && System.nanoTime() < deadline) TestAgent.sleep(20);
        assertThat(Files.readString(work.resolve("result"))).isEqualTo("refused");
    }

    @Test
    void leftoversOfInstancesNobodyAdoptsAreRemovedAtStartButNotAnotherAgents() throws Exception {
        assumeTrue(Files.isDirectory(Path.of("/sys/fs/cgroup/freezer")), "this test plants a v1 cgroup");
        Path steward = Path.of("/sys/fs/cgroup/freezer/steward");
        Path ghost = steward.resolve(NodeScope.of(agent.dataDir).id()).resolve("ghost/gone1");
        Path ghostMem = Path.of("/sys/fs/cgroup/memory/steward", NodeScope.of(agent.dataDir).id(), "ghost/gone1");
        Path theirs = steward.resolve("0ther0ne/ghost/gone1");
        Files.createDirectories(ghost);
        Files.createDirectories(ghostMem);
        Files.createDirectories(theirs);
        Process stray = new ProcessBuilder("sleep", "600").start();
        Process other = new ProcessBuilder("sleep", "600").start();
        try {
            Files.writeString(ghost.resolve("cgroup.procs"), Long.toString(stray.pid()));
            Files.writeString(theirs.resolve("cgroup.procs"), Long.toString(other.pid()));
            agent.close();
            agent = TestAgent.start(tmp.resolve("data"));
            assertThat(stray.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).as("the leftover's process is killed").isTrue();
            // the leftover goes once the agent serves, in the background: wait for its groups to be removed
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (Files.exists(ghost) || Files.exists(ghostMem)) {
                assertThat(System.nanoTime()).as("the leftover's cgroups are removed").isLessThan(deadline);
                Thread.sleep(20);
            }
            assertThat(other.isAlive()).as("another agent's instance").isTrue();
            assertThat(theirs).isDirectory();
        } finally {
            other.destroyForcibly().waitFor();
            Files.deleteIfExists(theirs);
            Files.deleteIfExists(theirs.getParent());
            Files.deleteIfExists(theirs.getParent().getParent());
        }
    }

    @Test
    void processInstancesPauseAndResumeToo() throws Exception {
        agent.register("name: plain\ndir: " + work + "\ncommand: [/bin/sh, -c, 'while true; do echo x >> ticks; sleep 0.05; done']\nping: none\n");
        running("plain");
        TestAgent.sleep(200);
        agent.ok("POST", "/v1/services/plain/pause", null);
        long before = Files.size(work.resolve("ticks"));
        TestAgent.sleep(400);
        assertThat(Files.size(work.resolve("ticks"))).isEqualTo(before);
        agent.ok("POST", "/v1/services/plain/resume", null);
        TestAgent.sleep(300);
        assertThat(Files.size(work.resolve("ticks"))).isGreaterThan(before);
        JsonNode usage = agent.service("plain").path("instances").get(0).path("usage");
        assertThat(usage.path("memory-bytes").asLong()).isPositive();
        assertThat(List.of(usage.path("cpu-nanos").asLong())).allMatch(c -> c >= 0);
    }
}
