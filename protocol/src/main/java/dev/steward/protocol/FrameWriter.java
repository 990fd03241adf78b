package dev.steward.protocol;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessagePacker;
import org.msgpack.value.Value;
import org.msgpack.value.ValueFactory;

/**
 * Writes frames as old peers read them: strings and binary data both as old-spec raw (fixraw,
 * raw16, raw32; never str8 nor bin). Stateless.
 */
public final class FrameWriter {
    private static final MessagePack.PackerConfig OLD_SPEC = new MessagePack.PackerConfig().withStr8FormatSupport(false);

    private FrameWriter() {}

    public static byte[] encode(Frame f) {
        MessageBufferPacker p = OLD_SPEC.newBufferPacker();
        try {
            p.packArrayHeader(3);
            p.packLong(f.message());
            if (f.session() < 0) p.packBigInteger(new java.math.BigInteger(Long.toUnsignedString(f.session())));
            else p.packLong(f.session());
            p.packArrayHeader(f.args().size());
            for (Value v : f.args()) pack(p, v);
            p.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a buffer packer does not fail
        }
        return p.toByteArray();
    }

    /** Packs a value, writing bin as raw (the packer writes str as raw already, without str8). */
    static void pack(MessagePacker p, Value v) throws IOException {
        switch (v.getValueType()) {
            case BINARY -> {
                byte[] b = v.asBinaryValue().asByteArray();
                p.packRawStringHeader(b.length);
                p.writePayload(b);
            }
            case STRING -> {
                byte[] b = v.asStringValue().asByteArray();
                p.packRawStringHeader(b.length);
                p.writePayload(b);
            }
            case ARRAY -> {
                List<Value> list = v.asArrayValue().list();
                p.packArrayHeader(list.size());
                for (Value e : list) pack(p, e);
            }
            case MAP -> {
                Map<Value, Value> map = v.asMapValue().map();
                p.packMapHeader(map.size());
                for (Map.Entry<Value, Value> e : map.entrySet()) {
                    pack(p, e.getKey());
                    pack(p, e.getValue());
                }
            }
            default -> p.packValue(v);
        }
    }

    /** The msgpack encoding of one value, in the old form (what a chunk carries for a method's return value). */
    public static byte[] value(Value v) {
        MessageBufferPacker p = OLD_SPEC.newBufferPacker();
        try {
            pack(p, v);
            p.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p.toByteArray();
    }

    // ---- the frames every side sends --------------------------------------------------------

    public static Frame chunk(long session, byte[] data) {
        return new Frame(Messages.CHUNK, session, List.of(ValueFactory.newBinary(data)));
    }

    public static Frame error(long session, int code, String message) {
        return new Frame(Messages.ERROR, session, List.of(ValueFactory.newInteger(code), ValueFactory.newString(message)));
    }

    public static Frame choke(long session) {
        return new Frame(Messages.CHOKE, session, List.of());
    }

    /** Bytes as a value (written as old-spec raw). */
    public static Value bytes(byte[] b) {
        return ValueFactory.newBinary(b, true);
    }

    public static Value text(String s) {
        return ValueFactory.newString(s.getBytes(StandardCharsets.UTF_8));
    }
}
