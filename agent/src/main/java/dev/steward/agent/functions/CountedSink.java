package dev.steward.agent.functions;

import dev.steward.agent.engine.Sink;
import java.util.function.LongSupplier;

/** A reply passed on as it comes, counted in its function's statistics, and its version let go, when it ends. */
final class CountedSink implements Sink {
    private final Sink to;
    private final FunctionStats stats;
    private final LongSupplier nanos;
    private final long started;
    private final Runnable done;

    CountedSink(Sink to, FunctionStats stats, LongSupplier nanos, Runnable done) {
        this.to = to;
        this.stats = stats;
        this.nanos = nanos;
        this.started = nanos.getAsLong();
        this.done = done;
    }

    @Override
    public void chunk(byte[] data) {
        to.chunk(data);
    }

    @Override
    public void error(int code, String message) {
        stats.record(nanos.getAsLong() - started, true);
        try {
            to.error(code, message);
        } finally {
            done.run();
        }
    }

    @Override
    public void end() {
        stats.record(nanos.getAsLong() - started, false);
        try {
            to.end();
        } finally {
            done.run();
        }
    }

    @Override
    public void dropped() {
        try {
            to.dropped();
        } finally {
            done.run();
        }
    }

    @Override
    public void flush() {
        to.flush();
    }

    @Override
    public boolean congested() {
        return to.congested();
    }

    @Override
    public void whenDrained(Runnable r) {
        to.whenDrained(r);
    }

    @Override
    public void cut() {
        to.cut();
    }

    @Override
    public boolean abandoned() {
        return to.abandoned();
    }
}
