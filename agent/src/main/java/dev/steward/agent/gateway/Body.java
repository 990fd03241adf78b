package dev.steward.agent.gateway;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * A piece of a message body as {@link MessageReader} found it: its bytes (owned by whoever holds the
 * piece: written on, or released), how many of them are the body's own (a chunked body relayed with its
 * framing carries the chunk lines too), whether the message ends with it, and, at the end of a chunked
 * body read as its data alone, the trailer lines that are passed on (each ending with CRLF; null when
 * none, owned with the bytes).
 */
record Body(ByteBuf bytes, long payload, boolean last, ByteBuf trailers) {
    /** The end of a message with nothing more in it. */
    static final Body END = new Body(Unpooled.EMPTY_BUFFER, 0, true);

    Body(ByteBuf bytes, long payload, boolean last) {
        this(bytes, payload, last, null);
    }

    void release() {
        bytes.release();
        if (trailers != null) trailers.release();
    }
}
