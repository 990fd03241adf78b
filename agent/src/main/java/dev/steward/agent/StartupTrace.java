package dev.steward.agent;

import java.time.Duration;
import java.time.Instant;

/**
 * Where an agent's start goes: with {@code -Dsteward.trace-startup=true} (for example through
 * {@code STEWARD_JAVA_OPTS}) each phase's end is printed on stderr with the milliseconds since the
 * JVM started. Off, each mark costs one field read.
 */
public final class StartupTrace {
    private static final boolean ON = Boolean.getBoolean("steward.trace-startup");
    /** The JVM's start, to the millisecond (the process's start instant from /proc is only as precise as the boot time, a whole second). */
    private static final Instant PROCESS = ON ? Instant.ofEpochMilli(java.lang.management.ManagementFactory.getRuntimeMXBean().getStartTime()) : null;
    private static long last = System.nanoTime();

    private StartupTrace() {}

    /** Marks the end of a phase. */
    public static synchronized void mark(String phase) {
        if (!ON) return;
        long now = System.nanoTime();
        long sinceProcess = Duration.between(PROCESS, Instant.now()).toMillis();
        System.err.printf("steward: start-up: %-28s %5d ms (%4d ms this phase) [%s]%n", phase, sinceProcess, (now - last) / 1_000_000, Thread.currentThread().getName());
        last = now;
    }
}
