package dev.steward.agent.gateway;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

/**
 * One connection to an instance: hands the responses {@link MessageReader} finds in its bytes to the
 * exchange forwarding over it, or sits idle in its pool.
 */
final class Upstream extends ChannelInboundHandlerAdapter implements MessageReader.Parts {
    private final UpstreamPool pool;
    private final String key;
    final MessageReader reader = MessageReader.responses(Gateway.ALLOCATOR);
    private Channel channel;
    /** The exchange forwarding over this connection; null while idle. */
    Forwarding relay;
    /** Where the bytes after a protocol switch go, once it switched. */
    private Channel switchedTo;

    Upstream(UpstreamPool pool, String key) {
        this.pool = pool;
        this.key = key;
    }

    String key() {
        return key;
    }

    Channel channel() {
        return channel;
    }

    /** Back to its pool for reuse, once an exchange ended cleanly on it. */
    void release() {
        pool.release(this);
    }

    /** The connection became a byte relay to {@code peer}: what came after the switching head goes there. */
    void switchedTo(Channel peer) {
        switchedTo = peer;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf bytes)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        reader.feed(bytes, this);
        if (reader.switched() && switchedTo != null) {
            ByteBuf rest = reader.leftover();
            if (rest != null) switchedTo.writeAndFlush(rest);
        }
    }

    @Override
    public void head(Head head) {
        Forwarding f = relay;
        if (f == null) { // nothing asked: an idle connection that talks is not to be trusted again
            idleTalk();
            return;
        }
        f.head((ResponseHead) head);
    }

    @Override
    public void body(Body piece) {
        Forwarding f = relay;
        if (f == null) {
            piece.release();
            idleTalk();
            return;
        }
        f.content(piece);
    }

    @Override
    public void bad(Reply why) {
        Forwarding f = relay;
        channel.close();
        if (f != null) f.failed(new java.io.IOException(why.reason()));
    }

    private void idleTalk() {
        reader.stop();
        channel.close();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        Forwarding f = relay;
        if (f != null) f.flushClient();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        Forwarding f = relay;
        if (f != null) f.upstreamWritable();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (relay != null) reader.closed(this); // a response read until the close ends here
        reader.release();
        Forwarding f = relay;
        if (f != null) f.failed(null);
        else pool.closed(this);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Forwarding f = relay;
        if (f != null) f.failed(cause);
        ctx.close();
    }
}
