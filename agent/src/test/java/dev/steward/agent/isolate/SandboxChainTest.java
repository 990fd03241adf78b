package dev.steward.agent.isolate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.steward.model.Resources;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * The one-exec helper and the stock-tool chain start instances alike: the same sandbox, and the same
 * process run in place inside its cgroup.
 */
class SandboxChainTest {
    @TempDir Path tmp;

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void bothWaysIsolateAndReportTheProgramsStatus(boolean withHelper) throws Exception {
        try (CgroupRig rig = CgroupRig.require(tmp, withHelper)) {
            Path out = tmp.resolve("out");
            tmp.toFile().setWritable(true, false);
            tmp.toFile().setExecutable(true, false);
            InstanceHandle h = rig.sandbox().spawn(new SpawnRequest("chain", withHelper ? "helper" : "shell",
                    List.of("/bin/sh", "-c", "echo $$ > " + out + "; ls /proc | grep -c '^[0-9]' >> " + out
                            + "; grep NoNewPrivs /proc/self/status >> " + out + "; id -u >> " + out + "; exit 7"),
                    tmp, Map.of("PATH", "/usr/bin:/bin"), tmp.resolve("log"), new Resources(64L << 20, 0, 64),
                    Map.of("network", "none", "user", "nobody")));
            ExitStatus st = h.exit().get(10, TimeUnit.SECONDS);
            assertThat(st).as(Files.readString(tmp.resolve("log"))).isEqualTo(new ExitStatus.Code(7));
            List<String> lines = Files.readAllLines(out);
            assertThat(Integer.parseInt(lines.get(0))).as("a pid in a new namespace").isBetween(2, 3);
            assertThat(Integer.parseInt(lines.get(1))).isLessThanOrEqualTo(4);
            assertThat(lines.get(2)).contains("1");
            assertThat(lines.get(3)).isEqualTo("65534");
        }
    }

    /** Joining (the helper's --plain or the shell) runs the program in place, inside its cgroup, and leaves nothing behind. */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void theProgramRunsInPlaceInItsCgroupAndNothingOutlivesIt(boolean withHelper) throws Exception {
        try (CgroupRig rig = CgroupRig.require(tmp, withHelper)) {
            InstanceHandle h = rig.process().spawn(new SpawnRequest("plain", withHelper ? "helper" : "shell", List.of("/bin/sh", "-c",
                    "echo $$ > self; setsid -f sh -c 'echo $$ > away; exec sleep 600'; while [ ! -s away ]; do sleep 0.01; done; "
                            + "cat /proc/$(cat away)/cgroup > groups; exit 5"),
                    tmp, Map.of("PATH", "/usr/bin:/bin"), tmp.resolve("log")));
            assertThat(h.exit().get(10, TimeUnit.SECONDS)).as(Files.readString(tmp.resolve("log"))).isEqualTo(new ExitStatus.Code(5));
            assertThat(Long.parseLong(Files.readString(tmp.resolve("self")).strip())).as("the program's own pid").isEqualTo(h.pid());
            assertThat(Files.readString(tmp.resolve("groups"))).contains("/steward/" + rig.scope.id() + "/plain/" + (withHelper ? "helper" : "shell"));
            long away = Long.parseLong(Files.readString(tmp.resolve("away")).strip());
            assertThat(ProcStat.read(away).filter(ProcStat::alive)).as("the escaped grandchild").isEmpty();
            assertThat(rig.tree.find("plain", withHelper ? "helper" : "shell")).as("the group is removed").isEmpty();
        }
    }
}
