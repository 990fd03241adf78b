package dev.steward.agent.isolate;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A process's threads looked at in /proc: one that spins is running, a process that sleeps is not, one that is gone is not. */
class ThreadsTest {
    @Test
    void aSpinningThreadIsSeenAndASleepingProcessIsNot() throws Exception {
        Process sleeper = new ProcessBuilder("sleep", "30").start();
        Process spinner = new ProcessBuilder("sh", "-c", "while :; do :; done").start();
        try {
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            boolean seen = false;
            while (!seen && System.nanoTime() < deadline) { // on a busy machine it may wait for a CPU: runnable, R too
                seen = Threads.anyRunning(spinner.pid());
            }
            assertThat(seen).as("a shell in a busy loop").isTrue();
            Thread.sleep(100); // asleep in nanosleep by now
            assertThat(Threads.anyRunning(sleeper.pid())).as("sleep(1)").isFalse();
        } finally {
            sleeper.destroyForcibly().waitFor();
            spinner.destroyForcibly().waitFor();
        }
        assertThat(Threads.anyRunning(sleeper.pid())).as("a process that is gone").isFalse();
    }
}
