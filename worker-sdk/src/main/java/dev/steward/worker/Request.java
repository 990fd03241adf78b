package dev.steward.worker;

import java.io.ByteArrayOutputStream;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/** The request of one invocation: its event name and its chunks as they arrive. */
public final class Request {
    private static final byte[] END = new byte[0];
    private final String event;
    private final BlockingQueue<byte[]> chunks = new LinkedBlockingQueue<>();
    private volatile String error;

    Request(String event) {
        this.event = event;
    }

    public String event() {
        return event;
    }

    /** The next chunk, or null when the request ended. */
    public byte[] read() throws InterruptedException {
        byte[] c = chunks.take();
        if (c == END) {
            chunks.add(END); // later reads see the end too
            if (error != null) throw new IllegalStateException("the request failed: " + error);
            return null;
        }
        return c;
    }

    /** Every chunk, joined. */
    public byte[] readAll() throws InterruptedException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (byte[] c; (c = read()) != null; ) all.writeBytes(c);
        return all.toByteArray();
    }

    void push(byte[] chunk) {
        chunks.add(chunk);
    }

    void end(String failure) {
        error = failure;
        chunks.add(END);
    }
}
