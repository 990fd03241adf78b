package dev.steward.agent.engine;

/**
 * Where one event's reply goes: the worker's chunks as they come, then the end of the stream, or an
 * error that ends it. Called on the app's event loop; a sink hands the bytes on without blocking.
 */
public interface Sink {
    void chunk(byte[] data);

    /** The reply failed ({@link dev.steward.protocol.Messages} error codes); nothing follows. */
    void error(int code, String message);

    /** The reply is complete. */
    void end();

    /** Sends what was written since the last flush (replies relayed from one read go out together). */
    default void flush() {}

    /**
     * Whether what was written waits in memory for a slow reader: the engine then stops reading from
     * the worker until {@link #whenDrained} runs what it passes.
     */
    default boolean congested() {
        return false;
    }

    /** Runs {@code r} (on any thread) once the reader has taken what waited, or has gone; at once if nothing waits. */
    default void whenDrained(Runnable r) {
        r.run();
    }

    /** Ends the reader's connection: it has taken nothing for too long (its drain then runs). */
    default void cut() {}

    /** Whether whoever asked has gone, so that a queued event need not run. Any thread. */
    default boolean abandoned() {
        return false;
    }

    /** The event was dropped unanswered: whoever asked had gone while it waited in the queue. */
    default void dropped() {}

    /** The HTTP status an error answers with before any chunk: busy or broken 503, overloaded 429, out of time 504, not found 404, the handler's 500. */
    static int httpStatus(int code) {
        return switch (code) {
            case dev.steward.protocol.Messages.RESOURCE_ERROR -> 503;
            case dev.steward.protocol.Messages.TIMEOUT_ERROR, dev.steward.protocol.Messages.DEADLINE_ERROR -> 504;
            case dev.steward.protocol.Messages.NOT_FOUND_ERROR -> 404;
            case dev.steward.protocol.Messages.OVERLOADED_ERROR -> 429;
            default -> 500;
        };
    }
}
