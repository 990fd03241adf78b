package dev.steward.agent;

/**
 * Where a start on demand goes: with {@code -Dsteward.trace-cold=true} (for example through {@code
 * STEWARD_JAVA_OPTS}) each step from a held request's arrival to its answer is printed on stderr with
 * the milliseconds since that request was read, and the thread that took the step. Meant for one start
 * at a time (the steps of concurrent starts interleave). Off, each mark costs one field read.
 */
public final class ColdTrace {
    public static final boolean ON = Boolean.getBoolean("steward.trace-cold");
    private static volatile long base = System.nanoTime();

    private ColdTrace() {}

    /** A held request read at {@code t0} ({@link System#nanoTime()}): the steps after it are timed from there. */
    public static void begin(String step, long t0) {
        if (!ON) return;
        base = t0;
        mark(step);
    }

    public static void mark(String step) {
        if (!ON) return;
        long us = (System.nanoTime() - base) / 1000;
        System.err.printf("steward: cold: %8.3f ms  %-40s [%s]%n", us / 1000.0, step, Thread.currentThread().getName());
    }
}
