package dev.steward.agent.isolate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.steward.agent.isolate.cgroup.Cgroups;
import dev.steward.model.Resources;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/** The one-exec helper and the stock-tool chain make the same sandbox. */
class SandboxChainTest {
    @TempDir Path tmp;

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void bothWaysIsolateAndReportTheProgramsStatus(boolean withHelper) throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "sandboxes need root");
        Cgroups cgroups = Cgroups.detect(Path.of("/sys/fs/cgroup")).orElse(null);
        assumeTrue(cgroups != null, "no usable cgroups here");
        Path helper = withHelper ? SandboxIsolate.installHelper(tmp.resolve("bin")) : null;
        assumeTrue(!withHelper || helper != null, "the helper was not built (no C compiler at build time)");
        try (ExitWatcher w = new ExitWatcher()) {
            SandboxIsolate sandbox = new SandboxIsolate(w, cgroups, helper);
            Path out = tmp.resolve("out");
            tmp.toFile().setWritable(true, false);
            tmp.toFile().setExecutable(true, false);
            InstanceHandle h = sandbox.spawn(new SpawnRequest("chain", withHelper ? "helper" : "shell",
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
}
