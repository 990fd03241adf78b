package dev.steward.agent.gateway;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * A piece of a message body as {@link MessageReader} found it: its bytes (owned by whoever holds the
 * piece: written on, or released), how many of them are the body's own (a chunked body relayed with its
 * framing carries the chunk lines too), and whether the message ends with it.
 */
record Body(ByteBuf bytes, long payload, boolean last) {
    /** The end of a message with nothing more in it. */
    static final Body END = new Body(Unpooled.EMPTY_BUFFER, 0, true);

    void release() {
        bytes.release();
    }
}
