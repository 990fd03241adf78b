package dev.steward.protocol;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.msgpack.core.MessageFormat;
import org.msgpack.core.MessageInsufficientBufferException;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.value.ArrayValue;
import org.msgpack.value.IntegerValue;
import org.msgpack.value.Value;

/**
 * Turns a byte stream into frames, however the bytes were cut. Bytes are kept until a whole msgpack
 * value is there (found by skipping over it, which does not copy payloads), then that value is read
 * and checked. One reader per connection; not thread-safe.
 *
 * <p>Reads old-spec raw as well as str and bin. Anything that is not {@code [uint32, uint64, array]}
 * is a {@link ProtocolException}; after one, the reader is spent (the connection is to be closed).
 */
public final class FrameReader {
    /** The largest frame accepted: a peer cannot make the reader hold more. */
    public static final int DEFAULT_MAX_FRAME = 64 << 20;
    private final int maxFrame;
    private byte[] buf = new byte[8192];
    private int start;
    private int end;
    private boolean failed;

    public FrameReader() {
        this(DEFAULT_MAX_FRAME);
    }

    public FrameReader(int maxFrame) {
        this.maxFrame = maxFrame;
    }

    /** Adds bytes and returns the frames they complete, in order (often none, sometimes many). */
    public List<Frame> feed(byte[] bytes, int off, int len) throws ProtocolException {
        if (failed) throw new ProtocolException("the stream already failed");
        append(bytes, off, len);
        List<Frame> out = new ArrayList<>(1);
        while (start < end) {
            int size = completeValueSize();
            if (size < 0) {
                if (end - start > maxFrame) throw fail("a frame of more than " + maxFrame + " bytes");
                break;
            }
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

    /** The size of the whole msgpack value at {@code start}, or -1 when more bytes are needed. */
    private int completeValueSize() throws ProtocolException {
        try (MessageUnpacker u = MessagePack.newDefaultUnpacker(buf, start, end - start)) {
            if (u.getNextFormat() != MessageFormat.FIXARRAY && u.getNextFormat() != MessageFormat.ARRAY16
                    && u.getNextFormat() != MessageFormat.ARRAY32) {
                throw fail("a frame must be an array of 3, not " + describe(u.getNextFormat()));
            }
            u.skipValue();
            long size = u.getTotalReadBytes();
            if (size > maxFrame) throw fail("a frame of more than " + maxFrame + " bytes");
            return (int) size;
        } catch (MessageInsufficientBufferException e) {
            return -1;
        } catch (ProtocolException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw fail("malformed msgpack: " + e.getMessage());
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

    private static String describe(MessageFormat f) {
        return switch (f.getValueType()) {
            case MAP -> "a map";
            case STRING -> "a string";
            case BINARY -> "binary";
            case INTEGER -> "an integer";
            case FLOAT -> "a float";
            case BOOLEAN -> "a boolean";
            case NIL -> "nil";
            case ARRAY -> "an array";
            case EXTENSION -> "an extension";
        };
    }
}
