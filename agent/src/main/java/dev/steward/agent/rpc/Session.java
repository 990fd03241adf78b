package dev.steward.agent.rpc;

import dev.steward.agent.net.Drains;
import dev.steward.protocol.FrameWriter;
import dev.steward.protocol.Messages;
import io.netty.channel.Channel;
import org.msgpack.value.Value;

/** The reply side of one call: chunks, then choke, with an error before it when the call failed. Thread-safe. */
public final class Session {
    private final Channel channel;
    private final long id;
    private volatile boolean ended;

    Session(Channel channel, long id) {
        this.channel = channel;
        this.id = id;
    }

    public long id() {
        return id;
    }

    /** Whether the client is still there to read more. */
    public boolean open() {
        return channel.isActive() && !ended;
    }

    public void chunk(byte[] data) {
        chunkLater(data);
        flush();
    }

    /** A method's return value: one chunk with its msgpack encoding, then choke. */
    public void value(Value v) {
        chunkLater(FrameWriter.value(v));
        choke();
    }

    public void error(int code, String message) {
        errorLater(code, message);
        flush();
    }

    public void choke() {
        chokeLater();
        flush();
    }

    /** A chunk written without flushing: many replies relayed in one read go out in one write ({@link #flush}). */
    public void chunkLater(byte[] data) {
        if (!ended) channel.write(FrameWriter.chunk(id, data), channel.voidPromise());
    }

    /** The end of the stream, written without flushing. */
    public void chokeLater() {
        if (ended) return;
        channel.write(FrameWriter.choke(id), channel.voidPromise());
        ended = true;
    }

    /** An error and the end of the stream, written without flushing. */
    public void errorLater(int code, String message) {
        if (ended) return;
        channel.write(FrameWriter.error(id, code, message), channel.voidPromise());
        channel.write(FrameWriter.choke(id), channel.voidPromise());
        ended = true;
    }

    public void flush() {
        channel.flush();
    }

    /** False while what was written waits in memory for a slow client (above the connection's high-water mark). */
    public boolean writable() {
        return channel.isWritable();
    }

    /** Closes the client's connection (it has stopped reading); its other sessions end with it. */
    public void cut() {
        channel.close();
    }

    /** Runs {@code r} once the client has taken what waited, or has gone; any thread. */
    public void whenWritable(Runnable r) {
        Drains.whenWritable(channel, r);
    }

    static void unknownMethod(Channel ch, long session) {
        Session s = new Session(ch, session);
        s.error(Messages.INVOCATION_ERROR, "unknown message type");
    }
}
