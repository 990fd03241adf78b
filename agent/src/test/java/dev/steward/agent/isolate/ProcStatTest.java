package dev.steward.agent.isolate;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProcStatTest {
    @Test
    void aProcessIsKnownByPidAndStartTime() throws Exception {
        Process p = new ProcessBuilder("sleep", "30").start();
        try {
            ProcStat s = ProcStat.read(p.pid()).orElseThrow();
            assertThat(s.alive()).isTrue();
            assertThat(ProcStat.same(p.pid(), s.startTicks())).isTrue();
            assertThat(ProcStat.same(p.pid(), s.startTicks() + 1)).isFalse();
        } finally {
            p.destroyForcibly().waitFor();
        }
        assertThat(ProcStat.read(p.pid())).isEmpty();
    }

    @Test
    void theExitWatcherSeesAnExitOfAProcessThatIsNotItsChild() throws Exception {
        Process shell = new ProcessBuilder("/bin/sh", "-c", "sleep 0.4 >/dev/null 2>&1 & echo $!").start();
        long grandchild = Long.parseLong(new String(shell.getInputStream().readAllBytes()).trim());
        try (ExitWatcher w = new ExitWatcher()) {
            long t0 = System.nanoTime();
            w.watch(grandchild).get(5, java.util.concurrent.TimeUnit.SECONDS);
            assertThat((System.nanoTime() - t0) / 1_000_000).isBetween(100L, 2000L);
            assertThat(w.watch(999_999_999L).isDone()).isTrue();
        }
    }
}
