package dev.steward.protocol;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.value.ArrayValue;
import org.msgpack.value.IntegerValue;
import org.msgpack.value.Value;

/**
 * Turns a byte stream into frames, however the bytes were cut. A {@link FrameScan} finds where each
 * frame ends, resuming where it stopped as bytes arrive (linear in the bytes, however finely they
 * come, and payloads are skipped, not read); a whole frame is then read and checked. What a frame may
 * hold is bounded by {@link FrameLimits}: a header that declares more is refused before its bytes
 * come, so a reader never holds more than a frame's limit plus one read. One reader per connection;
 * not thread-safe.
 *
 * <p>Reads old-spec raw as well as str and bin. Anything that is not {@code [uint32, uint64, array]}
 * is a {@link ProtocolException}; after one, the reader is spent (the connection is to be closed).
 */
public final class FrameReader {
    private final FrameScan scan;
    private byte[] buf = new byte[8192];
    private int start;
    private int end;
    private boolean failed;

    /** A reader within {@link FrameLimits#DEFAULT}. */
    public FrameReader() {
        this(FrameLimits.DEFAULT);
    }

    /** A reader within the default limits, frames of at most {@code maxFrame} bytes. */
    public FrameReader(int maxFrame) {
        this(FrameLimits.ofMaxFrame(maxFrame));
    }

    public FrameReader(FrameLimits limits) {
        this.scan = new FrameScan(limits);
    }

    /** Adds bytes and returns the frames they complete, in order (often none, sometimes many). */
    public List<Frame> feed(byte[] bytes, int off, int len) throws ProtocolException {
        if (failed) throw new ProtocolException("the stream already failed");
        append(bytes, off, len);
        List<Frame> out = new ArrayList<>(1);
        while (start < end) {
            int size = completeValueSize();
            if (size == FrameScan.MORE) break;
            Frame f = parse(start, size);
            start += size;
            out.add(f);
        }
        if (start == end) start = end = 0;
        return out;
    }

    public List<Frame> feed(byte[] bytes) throws ProtocolException {
        return feed(bytes, 0, bytes.length);
    }

    public List<Frame> feed(ByteBuffer bytes) throws ProtocolException {
        byte[] copy = new byte[bytes.remaining()];
        bytes.get(copy);
        return feed(copy, 0, copy.length);
    }

    /** Bytes held that do not make a whole frame yet. */
    public int pending() {
        return end - start;
    }

    private void append(byte[] bytes, int off, int len) {
        if (end + len > buf.length) {
            int live = end - start;
            if (live + len <= buf.length / 2 + 1 && start > 0) {
                System.arraycopy(buf, start, buf, 0, live);
            } else {
                byte[] bigger = new byte[Math.max(buf.length * 2, live + len)];
                System.arraycopy(buf, start, bigger, 0, live);
                buf = bigger;
            }
            start = 0;
            end = live;
        }
        System.arraycopy(bytes, off, buf, end, len);
        end += len;
    }

    /** The size of the whole frame at {@code start}, or {@link FrameScan#MORE} when more bytes are needed. */
    private int completeValueSize() throws ProtocolException {
        try {
            return scan.scan(buf, start, end);
        } catch (ProtocolException e) {
            failed = true;
            throw e;
        }
    }

    private Frame parse(int at, int size) throws ProtocolException {
        Value v;
        try (MessageUnpacker u = MessagePack.newDefaultUnpacker(buf, at, size)) {
            v = u.unpackValue();
        } catch (IOException | RuntimeException e) {
            throw fail("malformed msgpack: " + e.getMessage());
        }
        ArrayValue a = v.asArrayValue();
        if (a.size() != 3) throw fail("a frame must be an array of 3, not of " + a.size());
        if (!a.get(0).isIntegerValue()) throw fail("the message id must be an integer, not " + a.get(0).getValueType().name().toLowerCase());
        if (!a.get(1).isIntegerValue()) throw fail("the session id must be an integer, not " + a.get(1).getValueType().name().toLowerCase());
        if (!a.get(2).isArrayValue()) throw fail("the arguments must be an array, not " + a.get(2).getValueType().name().toLowerCase());
        IntegerValue message = a.get(0).asIntegerValue();
        IntegerValue session = a.get(1).asIntegerValue();
        if (!message.isInLongRange() || message.toLong() < 0 || message.toLong() > Frame.MAX_MESSAGE) {
            throw fail("the message id " + message + " does not fit 32 bits");
        }
        long sessionBits;
        if (session.isInLongRange()) {
            if (session.toLong() < 0) throw fail("the session id " + session + " is negative");
            sessionBits = session.toLong();
        } else {
            java.math.BigInteger big = session.toBigInteger();
            if (big.bitLength() > 64) throw fail("the session id " + big + " does not fit 64 bits");
            sessionBits = big.longValue();
        }
        return new Frame(message.toLong(), sessionBits, a.get(2).asArrayValue().list());
    }

    private ProtocolException fail(String why) {
        failed = true;
        return new ProtocolException(why);
    }
}
