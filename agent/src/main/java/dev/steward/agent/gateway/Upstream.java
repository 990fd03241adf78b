package dev.steward.agent.gateway;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.util.ReferenceCountUtil;

/** One connection to an instance: hands what it reads to the exchange forwarding over it, or sits idle in its pool. */
final class Upstream extends ChannelInboundHandlerAdapter {
    private final UpstreamPool pool;
    private final String key;
    private Channel channel;
    /** The exchange forwarding over this connection; null while idle. */
    Forwarding relay;

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

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Forwarding f = relay;
        if (f == null) {
            // nothing asked: an idle connection that talks is not to be trusted again
            ReferenceCountUtil.release(msg);
            ctx.close();
            return;
        }
        if (msg instanceof HttpResponse r) f.head(r);
        if (msg instanceof HttpContent c) f.content(c);
        else if (!(msg instanceof HttpResponse)) ReferenceCountUtil.release(msg);
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
