package dev.steward.protocol;

import java.util.List;
import org.msgpack.value.Value;

/**
 * One message: {@code [message, session, args]}.
 *
 * @param message the message (method) id, 0 to 2^32-1
 * @param session the session id, an unsigned 64-bit number kept in a long's bits
 * @param args    the arguments, msgpack values
 */
public record Frame(long message, long session, List<Value> args) {
    public static final long MAX_MESSAGE = 0xFFFF_FFFFL;

    public Frame {
        if (message < 0 || message > MAX_MESSAGE) throw new IllegalArgumentException("message id " + message + " does not fit 32 bits");
        args = List.copyOf(args);
    }

    /** The session id as the unsigned number it is. */
    public String sessionText() {
        return Long.toUnsignedString(session);
    }

    @Override
    public String toString() {
        return "[" + message + ", " + sessionText() + ", " + args + "]";
    }
}
