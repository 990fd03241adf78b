package dev.steward.worker;

import dev.steward.protocol.WorkerMessage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** The reply of one invocation: chunks, then close; or an error. Thread-safe; ends once. */
public final class Response {
    private final Worker.Link link;
    private final long session;
    private boolean closed;

    Response(Worker.Link link, long session) {
        this.link = link;
        this.session = session;
    }

    public synchronized void write(byte[] chunk) {
        if (closed) throw new IllegalStateException("the response is closed");
        send(() -> link.send(new WorkerMessage.Chunk(session, chunk)));
    }

    public void write(String chunk) {
        write(chunk.getBytes(StandardCharsets.UTF_8));
    }

    /** Writes {@code chunk} as the reply's last and ends the reply, the two in one write. */
    public synchronized void end(byte[] chunk) {
        if (closed) throw new IllegalStateException("the response is closed");
        closed = true;
        send(() -> link.send(new WorkerMessage.Chunk(session, chunk), new WorkerMessage.Choke(session)));
    }

    /** Ends the reply with an error: {@code code} as the protocol numbers them (1 invocation error); the two frames in one write. */
    public synchronized void error(int code, String message) {
        if (closed) return;
        closed = true;
        send(() -> link.send(new WorkerMessage.Error(session, code, message), new WorkerMessage.Choke(session)));
    }

    /** Ends the reply. */
    public synchronized void close() {
        if (closed) return;
        closed = true;
        send(() -> link.send(new WorkerMessage.Choke(session)));
    }

    public synchronized boolean closed() {
        return closed;
    }

    private interface Io {
        void run() throws IOException;
    }

    private static void send(Io io) {
        try {
            io.run();
        } catch (IOException e) {
            throw new UncheckedIOException("the agent went away", e);
        }
    }
}
