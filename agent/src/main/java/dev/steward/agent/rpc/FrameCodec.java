package dev.steward.agent.rpc;

import dev.steward.protocol.Frame;
import dev.steward.protocol.FrameLimits;
import dev.steward.protocol.FrameReader;
import dev.steward.protocol.FrameWriter;
import dev.steward.protocol.Messages;
import dev.steward.protocol.ProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageCodec;
import java.util.List;

/**
 * Frames in and out of a Netty channel. Bytes go to a {@link FrameReader} as they arrive (linear in
 * the bytes, within {@link FrameLimits}); a broken or oversized frame is logged with the peer and the
 * reason, gets an error frame (session 0, invocation error with the reason), and the connection is
 * closed; nothing else is disturbed.
 */
public final class FrameCodec extends ByteToMessageCodec<Frame> {
    private final FrameReader reader;
    private final String port;
    private boolean broken;

    /** A codec within {@code limits}; {@code port} names the port in the log ({@code "rpc locator"}, {@code "worker app echo"}). */
    public FrameCodec(FrameLimits limits, String port) {
        this.reader = new FrameReader(limits);
        this.port = port;
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Frame f, ByteBuf out) {
        out.writeBytes(FrameWriter.encode(f));
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (broken) {
            in.skipBytes(in.readableBytes());
            return;
        }
        byte[] bytes = new byte[in.readableBytes()];
        in.readBytes(bytes);
        try {
            out.addAll(reader.feed(bytes));
        } catch (ProtocolException e) {
            broken = true;
            System.err.println("steward: " + port + ": closed the connection from " + ctx.channel().remoteAddress()
                    + ": protocol error: " + e.getMessage());
            // through the whole pipeline: this codec itself must encode it
            ctx.channel().writeAndFlush(FrameWriter.error(0, Messages.INVOCATION_ERROR, "protocol error: " + e.getMessage()))
                    .addListener(ChannelFutureListener.CLOSE);
        }
    }
}
