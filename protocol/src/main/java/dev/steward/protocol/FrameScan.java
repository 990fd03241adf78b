package dev.steward.protocol;

/**
 * Finds where a msgpack frame ends, resuming where it stopped when more bytes arrive: every byte is
 * looked at once however finely the frame is cut (a payload is skipped by its length, not read), so a
 * frame fed in n pieces costs O(frame), not O(n * frame). The limits are checked as soon as a header
 * declares what breaks them, before its bytes arrive. One scan per connection; not thread-safe.
 */
final class FrameScan {
    /** What {@link #scan} answers while the frame is not whole yet. */
    static final int MORE = -1;
    private final FrameLimits limits;
    /** Elements still to come in each open collection, outermost first. */
    private final long[] open;
    private int depth;
    /** Bytes of the frame scanned so far (relative to its first byte). */
    private long pos;
    /** Payload bytes still to skip. */
    private long skip;

    FrameScan(FrameLimits limits) {
        this.limits = limits;
        this.open = new long[limits.maxDepth()];
    }

    /**
     * Scans the frame that starts at {@code buf[from]}, of which {@code buf[from, to)} has arrived.
     * Answers its size once it is whole (and is ready for the next frame), else {@link #MORE}.
     */
    int scan(byte[] buf, int from, int to) throws ProtocolException {
        long have = to - from;
        while (true) {
            if (skip > 0) {
                long step = Math.min(skip, have - pos);
                pos += step;
                skip -= step;
                if (skip > 0) return MORE;
                if (closeValue()) return done();
            }
            if (pos >= have) return MORE;
            int b = buf[(int) (from + pos)] & 0xff;
            int header = headerSize(b);
            if (pos == 0 && !isArray(b)) throw new ProtocolException("a frame must be an array of 3, not " + describe(b));
            if (pos + header > have) return MORE;
            long length = header == 1 ? 0 : readLength(buf, (int) (from + pos + 1), lengthBytes(b));
            pos += header;
            if (isArray(b) || isMap(b)) {
                long elements = isArray(b) ? elementsOfArray(b, length) : 2 * elementsOfMap(b, length);
                enter(elements);
                if (elements == 0 && closeValue()) return done(); // an empty collection is a whole value at once
            } else {
                skip = payloadSize(b, length);
                if (pos + skip > limits.maxFrameBytes()) throw tooBig(pos + skip);
                if (skip == 0 && closeValue()) return done();
            }
        }
    }

    /** Bytes of the frame being scanned that were looked at. */
    long scanned() {
        return pos;
    }

    private int done() {
        int size = (int) pos;
        pos = 0;
        depth = 0;
        return size;
    }

    private void enter(long elements) throws ProtocolException {
        if (depth == open.length) throw new ProtocolException("a frame nests deeper than " + limits.maxDepth() + " levels");
        if (elements > limits.maxElements()) {
            throw new ProtocolException("a collection of " + elements + " elements (at most " + limits.maxElements() + ")");
        }
        if (pos + elements > limits.maxFrameBytes()) throw tooBig(pos + elements); // each element takes a byte at least
        if (elements > 0) open[depth++] = elements;
    }

    /** One value has ended: counts it in the collection it is in; true when that ended the frame. */
    private boolean closeValue() {
        while (depth > 0) {
            if (--open[depth - 1] > 0) return false;
            depth--; // that collection is whole: it is a value ending in the one around it
        }
        return true;
    }

    private ProtocolException tooBig(long size) {
        return new ProtocolException("a frame of more than " + limits.maxFrameBytes() + " bytes (" + size + " declared so far)");
    }

    private static boolean isArray(int b) {
        return (b & 0xf0) == 0x90 || b == 0xdc || b == 0xdd;
    }

    private static boolean isMap(int b) {
        return (b & 0xf0) == 0x80 || b == 0xde || b == 0xdf;
    }

    private static long elementsOfArray(int b, long length) {
        return (b & 0xf0) == 0x90 ? b & 0x0f : length;
    }

    private static long elementsOfMap(int b, long length) {
        return (b & 0xf0) == 0x80 ? b & 0x0f : length;
    }

    /** Bytes of the header (the type byte and its length or value bytes). */
    private static int headerSize(int b) throws ProtocolException {
        if (b <= 0x7f || b >= 0xe0 || (b & 0xe0) == 0xa0 || (b & 0xf0) == 0x80 || (b & 0xf0) == 0x90) return 1;
        return switch (b) {
            case 0xc0, 0xc2, 0xc3 -> 1;
            case 0xd4, 0xd5, 0xd6, 0xd7, 0xd8 -> 1; // fixext: the type and data are the payload
            case 0xc4, 0xc7, 0xd9, 0xcc, 0xd0 -> 2;
            case 0xc5, 0xc8, 0xda, 0xdc, 0xde, 0xcd, 0xd1 -> 3;
            case 0xc6, 0xc9, 0xdb, 0xdd, 0xdf, 0xca, 0xce, 0xd2 -> 5;
            case 0xcb, 0xcf, 0xd3 -> 9;
            default -> throw new ProtocolException("malformed msgpack: the byte 0x" + Integer.toHexString(b) + " begins no value");
        };
    }

    /** Bytes of the length that follows the type byte, for the types whose payload has one. */
    private static int lengthBytes(int b) {
        return switch (b) {
            case 0xc4, 0xc7, 0xd9 -> 1;
            case 0xc5, 0xc8, 0xda, 0xdc, 0xde -> 2;
            case 0xc6, 0xc9, 0xdb, 0xdd, 0xdf -> 4;
            default -> 0; // numbers: their bytes are the header itself
        };
    }

    /** Bytes after the header: raw and ext payloads (an ext's type byte included). */
    private static long payloadSize(int b, long length) {
        if ((b & 0xe0) == 0xa0) return b & 0x1f;
        return switch (b) {
            case 0xc4, 0xc5, 0xc6, 0xd9, 0xda, 0xdb -> length;
            case 0xc7, 0xc8, 0xc9 -> length + 1;
            case 0xd4 -> 2;
            case 0xd5 -> 3;
            case 0xd6 -> 5;
            case 0xd7 -> 9;
            case 0xd8 -> 17;
            default -> 0;
        };
    }

    private static long readLength(byte[] buf, int at, int n) {
        long v = 0;
        for (int i = 0; i < n; i++) v = (v << 8) | (buf[at + i] & 0xff);
        return v;
    }

    private static String describe(int b) {
        if ((b & 0xf0) == 0x80 || b == 0xde || b == 0xdf) return "a map";
        if ((b & 0xe0) == 0xa0 || b == 0xd9 || b == 0xda || b == 0xdb) return "a string";
        if (b == 0xc4 || b == 0xc5 || b == 0xc6) return "binary";
        if (b == 0xc0) return "nil";
        if (b == 0xc2 || b == 0xc3) return "a boolean";
        if (b == 0xca || b == 0xcb) return "a float";
        if ((b >= 0xc7 && b <= 0xc9) || (b >= 0xd4 && b <= 0xd8)) return "an extension";
        if (b == 0xc1) return "malformed msgpack (0xc1)";
        return "an integer";
    }
}
