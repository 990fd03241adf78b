package dev.steward.agent.engine;

import java.util.concurrent.ScheduledFuture;

/** One enqueued event, from the queue to its worker session and back. Owned by the app's event loop. */
final class Invocation {
    final String event;
    final byte[] data;
    /** The worker id the event is pinned to, or empty. */
    final String tag;
    final Sink sink;
    /** How long the event may take in all, queue included; 0 for no limit. */
    final long timeoutNanos;
    Slave slave;
    long session;
    ScheduledFuture<?> timer;
    boolean done;

    Invocation(String event, byte[] data, String tag, long timeoutNanos, Sink sink) {
        this.event = event;
        this.data = data;
        this.tag = tag == null ? "" : tag;
        this.timeoutNanos = timeoutNanos;
        this.sink = sink;
    }

    boolean tagged() {
        return !tag.isEmpty();
    }

    /** Ends the reply with an error (once) and stops its timer. */
    void fail(int code, String message) {
        if (done) return;
        done = true;
        if (timer != null) timer.cancel(false);
        sink.error(code, message);
        sink.flush();
    }

    /** True, and the event dropped, when its client has gone while it waited in the queue. */
    boolean dropIfAbandoned() {
        if (done || !sink.abandoned()) return false;
        done = true;
        if (timer != null) timer.cancel(false);
        sink.dropped();
        return true;
    }

    void finish() {
        if (done) return;
        done = true;
        if (timer != null) timer.cancel(false);
        sink.end();
    }
}
