package dev.steward.agent.instance;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs short tasks (posting to an inbox) after a delay: on the agent's timer thread, or, in tests,
 * when a manual clock is moved on.
 */
@FunctionalInterface
public interface Timers {
    void after(Duration delay, Runnable task);

    static Timers of(ScheduledExecutorService timer) {
        return (delay, task) -> timer.schedule(task, Math.max(0, delay.toNanos()), TimeUnit.NANOSECONDS);
    }
}
