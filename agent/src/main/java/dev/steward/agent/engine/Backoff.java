package dev.steward.agent.engine;

/**
 * Crash back-off: after a worker crash spawning pauses 1 s, doubling up to 32 s while crashes go
 * on; a worker that answers a session resets it. Immutable.
 */
record Backoff(long delayNanos, long untilNanos) {
    static final long FIRST = 1_000_000_000L;
    static final long MOST = 32_000_000_000L;
    static final Backoff NONE = new Backoff(0, Long.MIN_VALUE);

    Backoff crashed(long now) {
        long d = delayNanos == 0 ? FIRST : Math.min(MOST, delayNanos * 2);
        return new Backoff(d, now + d);
    }

    boolean holds(long now) {
        return delayNanos > 0 && now - untilNanos < 0;
    }
}
