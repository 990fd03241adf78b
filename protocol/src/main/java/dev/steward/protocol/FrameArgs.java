package dev.steward.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.msgpack.value.Value;

/** A worker-protocol frame's arguments, read with errors that name the message and the argument. */
final class FrameArgs {
    private final Frame frame;
    private final List<Value> args;

    FrameArgs(Frame frame) {
        this.frame = frame;
        this.args = frame.args();
    }

    Frame frame() {
        return frame;
    }

    /** The message's name, as errors say it. */
    String name() {
        return switch ((int) frame.message()) {
            case Messages.HANDSHAKE -> "handshake";
            case Messages.HEARTBEAT -> "heartbeat";
            case Messages.TERMINATE -> "terminate";
            case Messages.INVOKE -> "invoke";
            case Messages.CHUNK -> "chunk";
            case Messages.ERROR -> "error";
            case Messages.CHOKE -> "choke";
            default -> "message " + frame.message();
        };
    }

    ProtocolException wrong(String why) {
        return new ProtocolException(name() + ": " + why);
    }

    void exactly(int n) throws ProtocolException {
        if (args.size() != n) throw wrong(takes(n) + ", got " + args.size());
    }

    /** At least {@code n}; any after them are not read. */
    void atLeast(int n) throws ProtocolException {
        if (args.size() < n) throw wrong(takes(n) + ", got " + args.size());
    }

    private static String takes(int n) {
        return "takes " + n + (n == 1 ? " argument" : " arguments");
    }

    /** Argument {@code i}, a string or binary, as bytes. */
    byte[] bytes(int i) throws ProtocolException {
        Value v = args.get(i);
        if (!v.isRawValue()) throw wrong("argument " + i + " must be binary or a string, got " + type(v));
        return v.asRawValue().asByteArray();
    }

    /** Argument {@code i}, a string (or binary holding UTF-8). */
    String text(int i) throws ProtocolException {
        Value v = args.get(i);
        if (!v.isRawValue()) throw wrong("argument " + i + " must be a string, got " + type(v));
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(v.asRawValue().asByteArray())).toString();
        } catch (CharacterCodingException e) {
            throw wrong("argument " + i + " is not UTF-8");
        }
    }

    /** Argument {@code i}, an integer of 32 bits. */
    int integer(int i) throws ProtocolException {
        Value v = args.get(i);
        if (!v.isIntegerValue()) throw wrong("argument " + i + " must be an integer, got " + type(v));
        if (!v.asIntegerValue().isInIntRange()) throw wrong("argument " + i + " must fit 32 bits, got " + v);
        return v.asIntegerValue().toInt();
    }

    /** Argument {@code i} when it is an integer of 32 bits, else {@code otherwise}. */
    int integerOr(int i, int otherwise) {
        if (i >= args.size() || !args.get(i).isIntegerValue() || !args.get(i).asIntegerValue().isInIntRange()) return otherwise;
        return args.get(i).asIntegerValue().toInt();
    }

    /** Argument {@code i} when it is a string or binary (bytes that are not UTF-8 replaced), else {@code otherwise}. */
    String textOr(int i, String otherwise) {
        if (i >= args.size() || !args.get(i).isRawValue()) return otherwise;
        return new String(args.get(i).asRawValue().asByteArray(), StandardCharsets.UTF_8);
    }

    private static String type(Value v) {
        return v.getValueType().name().toLowerCase();
    }
}
