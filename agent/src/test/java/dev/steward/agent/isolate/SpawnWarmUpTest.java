package dev.steward.agent.isolate;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpawnWarmUpTest {
    @TempDir
    Path dir;

    @Test
    void theSpawnsWarmUpSpawnsNothingAndLeavesNoDescriptorOpen() throws Exception {
        try (ExitWatcher w = new ExitWatcher()) {
            long children = ProcessHandle.current().children().count();
            int fds = openDescriptors();
            assertThat(Spawner.warmUp()).as("every native call of a spawn ran").isTrue();
            assertThat(w.warmUp()).as("a pidfd of the agent's own process opened").isTrue();
            assertThat(ProcessHandle.current().children().count()).isEqualTo(children);
            assertThat(openDescriptors()).isEqualTo(fds);
        }
    }

    @Test
    void aSpawnAfterTheWarmUpRunsItsProgramAndItsExitIsSeen() throws Exception {
        Path log = dir.resolve("out.log");
        try (ExitWatcher w = new ExitWatcher()) {
            Spawner.warmUp();
            w.warmUp();
            long pid = Spawner.spawn(List.of("/bin/sh", "-c", "pwd; exit 3"), dir, Map.of("PATH", "/usr/bin:/bin"), log);
            ExitStatus s = w.watch(pid, true).get(30, TimeUnit.SECONDS);
            assertThat(s).isEqualTo(new ExitStatus.Code(3));
            assertThat(Files.readString(log).strip()).isEqualTo(dir.toRealPath().toString());
        }
    }

    private static int openDescriptors() throws Exception {
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            return (int) s.count();
        }
    }
}
