package dev.steward.agent.functions;

import java.time.Duration;

/**
 * How many generic workers one pool (a runtime's worker in an isolate with given limits) starts now:
 * up to its size, within the memory the machine has beyond a reserve (at the size its workers were
 * measured at), none while the runtime has gone unused for {@code idle} (its paused workers are then
 * removed), none for a minute after three starts in a row failed. Pure.
 */
record PoolPlan(int size, Duration idle, long reserveBytes) {
    static final int FAILURES_TO_WAIT = 3;
    static final Duration FAILURE_WAIT = Duration.ofMinutes(1);

    /** One pool's state as its owner sees it. */
    record Lane(int ready, int starting, long lastUse, int failures, long lastFailure, long workerBytes) {}

    PoolPlan {
        if (size < 0) throw new IllegalArgumentException("size: " + size + " (expected: 0 or more)");
        if (idle.isNegative() || idle.isZero()) throw new IllegalArgumentException("idle: " + idle + " (expected: more than 0)");
    }

    /** Whether the runtime has gone unused long enough that its paused workers go. */
    boolean idle(long now, Lane l) {
        return now - l.lastUse() >= idle.toNanos();
    }

    /** The workers to start now, with {@code availableBytes} of memory available on the machine. */
    int toStart(long now, Lane l, long availableBytes) {
        if (idle(now, l)) return 0;
        if (l.failures() >= FAILURES_TO_WAIT && now - l.lastFailure() < FAILURE_WAIT.toNanos()) return 0;
        int wanted = size - l.ready() - l.starting();
        if (wanted <= 0) return 0;
        long room = (availableBytes - reserveBytes) / Math.max(1, l.workerBytes());
        return (int) Math.max(0, Math.min(wanted, room));
    }
}
