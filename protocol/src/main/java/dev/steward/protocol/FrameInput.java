package dev.steward.protocol;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;

/** Frames from a blocking stream, one read at a time; used by one thread at a time. */
public final class FrameInput {
    private final FrameReader reader = new FrameReader();
    private final ArrayDeque<Frame> frames = new ArrayDeque<>();
    private final byte[] buf = new byte[64 * 1024];
    private final InputStream in;
    private final String sender;

    /** @param sender who writes the stream, as a broken frame's error names it ("the agent") */
    public FrameInput(InputStream in, String sender) {
        this.in = in;
        this.sender = sender;
    }

    /** The next frame, read when none is left of the last read; null once the stream ended. */
    public Frame next() throws IOException {
        while (frames.isEmpty()) {
            int n = in.read(buf);
            if (n <= 0) return null;
            try {
                frames.addAll(reader.feed(buf, 0, n));
            } catch (ProtocolException e) {
                throw new IOException(sender + " sent a broken frame: " + e.getMessage(), e);
            }
        }
        return frames.pollFirst();
    }

    /** The next frame left of the last read, not taken and without reading; null when none is left. */
    public Frame peek() {
        return frames.peekFirst();
    }
}
