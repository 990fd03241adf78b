package dev.steward.agent.engine;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * How an engine keeps its workers between calls: warm for {@code keepWarm} after a reply, then paused
 * (frozen) until a call thaws them, removed once paused for {@code idle}; new workers taken from
 * {@code source} (a pool of paused generic workers) before any is spawned; each invocation's start
 * reported to {@code starts}; a full queue refused as overloaded. {@link #NONE}: apps, never paused.
 */
public record Warmth(Duration keepWarm, Duration idle, WorkerSource source, Consumer<Start> starts) {
    /** How an invocation found its worker. */
    public enum Start {
        /** A worker spawned for it. */
        COLD,
        /** A paused worker thawed for it (one of the function's, or a generic one from the pool, loading the function). */
        PAUSED,
        /** A worker already warm with the function. */
        WARM;

        public String wire() {
            return name().toLowerCase();
        }
    }

    /** Apps: workers stay until their profile's idle timeout; nothing is paused; the queue full is "the queue is full". */
    public static final Warmth NONE = new Warmth(Duration.ZERO, Duration.ZERO, WorkerSource.NONE, s -> {});

    public Warmth {
        Objects.requireNonNull(keepWarm, "keepWarm");
        Objects.requireNonNull(idle, "idle");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(starts, "starts");
        if (keepWarm.isNegative()) throw new IllegalArgumentException("keep-warm: " + keepWarm + " (expected: 0 or more)");
    }

    /** Whether idle workers are paused. */
    boolean pauses() {
        return !keepWarm.isZero() && !idle.isZero();
    }
}
