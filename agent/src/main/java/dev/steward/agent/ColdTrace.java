package dev.steward.agent;

/**
 * Where a start on demand goes: with {@code -Dsteward.trace-cold=true} (for example through {@code
 * STEWARD_JAVA_OPTS}) each step from a held request's arrival to its answer is printed on stderr with
 * the milliseconds since that request was read, and the thread that took the step. Meant for one start
 * at a time (the steps of concurrent starts interleave). Off, each mark costs one field read. With
 * {@code -Dsteward.trace-cold.spawn=true} as well, the parts of the spawn step are marked too (each mark's printing
 * costs time in the step it divides, so they are left out unless asked for: the steps stay comparable with builds
 * that do not have them).
 */
public final class ColdTrace {
    public static final boolean ON = Boolean.getBoolean("steward.trace-cold");
    private static final boolean SPAWN = ON && Boolean.getBoolean("steward.trace-cold.spawn");
    private static volatile long base = System.nanoTime();

    private ColdTrace() {}

    /** A held request read at {@code t0} ({@link System#nanoTime()}): the steps after it are timed from there. */
    public static void begin(String step, long t0) {
        if (!ON) return;
        base = t0;
        mark(step);
    }

    /** A part of the spawn step, marked only with {@code -Dsteward.trace-cold.spawn=true}. */
    public static void spawnPart(String step) {
        if (SPAWN) mark(step);
    }

    public static void mark(String step) {
        if (!ON) return;
        long us = (System.nanoTime() - base) / 1000;
        System.err.printf("steward: cold: %8.3f ms  %-40s [%s]%n", us / 1000.0, step, Thread.currentThread().getName());
    }
}
