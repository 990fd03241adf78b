package dev.steward.agent.engine;

import dev.steward.agent.rpc.Session;

/** A reply relayed to a protocol client's session; writes gather until the engine flushes them. */
public record SessionSink(Session session) implements Sink {
    @Override
    public void chunk(byte[] data) {
        session.chunkLater(data);
    }

    @Override
    public void error(int code, String message) {
        session.errorLater(code, message);
    }

    @Override
    public void end() {
        session.chokeLater();
    }

    @Override
    public boolean congested() {
        return !session.writable();
    }

    @Override
    public void whenDrained(Runnable r) {
        session.whenWritable(r);
    }

    @Override
    public void cut() {
        session.cut();
    }

    @Override
    public boolean abandoned() {
        return !session.open();
    }

    @Override
    public void flush() {
        session.flush();
    }
}
