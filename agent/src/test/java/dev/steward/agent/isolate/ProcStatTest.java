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
        Process shell = new ProcessBuilder("/bin/sh", "-c", "sleep 60 >/dev/null 2>&1 & echo $!").start();
        long grandchild = Long.parseLong(new String(shell.getInputStream().readAllBytes()).trim());
        try (ExitWatcher w = new ExitWatcher()) {
            var exit = w.watch(grandchild);
            // alive: the watch stays open however long we look
            assertThat(ProcStat.read(grandchild)).isPresent();
            assertThat(exit.isDone()).isFalse();
            ProcessHandle.of(grandchild).orElseThrow().destroyForcibly();
            exit.get(5, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(ProcStat.read(grandchild).map(ProcStat::alive).orElse(false)).isFalse();
            assertThat(w.watch(999_999_999L).isDone()).isTrue();
        } finally {
            ProcessHandle.of(grandchild).ifPresent(ProcessHandle::destroyForcibly);
        }
    }
}
