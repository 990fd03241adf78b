package dev.steward.agent.isolate;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * A container's output as the engine streams it: for a container without a terminal, frames of an
 * 8-byte header (the stream: 0 stdin, 1 stdout, 2 stderr; three zero bytes; the payload's length, big-endian)
 * and the payload; with a terminal, the bytes as they are. What does not start like a frame is copied as it is.
 */
final class Frames {
    private Frames() {}

    /** Copies the payloads of {@code in} to {@code out} (flushed after each) until {@code in} ends. */
    static void copy(InputStream in, OutputStream out) throws IOException {
        byte[] head = new byte[8];
        byte[] buf = new byte[8192];
        while (true) {
            int got = in.readNBytes(head, 0, 8);
            if (got == 0) return;
            if (got < 8 || head[0] > 2 || head[1] != 0 || head[2] != 0 || head[3] != 0) {
                out.write(head, 0, got); // not framed: a terminal's raw bytes
                out.flush();
                if (got < 8) return;
                for (int n; (n = in.read(buf)) >= 0; ) {
                    out.write(buf, 0, n);
                    out.flush();
                }
                return;
            }
            long size = ((head[4] & 0xffL) << 24) | ((head[5] & 0xff) << 16) | ((head[6] & 0xff) << 8) | (head[7] & 0xff);
            while (size > 0) {
                int n = in.read(buf, 0, (int) Math.min(buf.length, size));
                if (n < 0) throw new EOFException("the container's output ended within a frame");
                out.write(buf, 0, n);
                size -= n;
            }
            out.flush();
        }
    }
}
