package dev.steward.agent.gateway;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.util.ReferenceCountUtil;

/** One connection to an instance: hands what it reads to the exchange that uses it, or sits idle in its pool. */
final class Upstream extends ChannelInboundHandlerAdapter {
    private final UpstreamPool pool;
    private final String key;
    private Channel channel;
    Exchange exchange;

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

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Exchange e = exchange;
        if (e == null) {
            // nothing asked: an idle connection that talks is not to be trusted again
            ReferenceCountUtil.release(msg);
            ctx.close();
            return;
        }
        if (msg instanceof HttpResponse r) e.responseHead(r);
        if (msg instanceof HttpContent c) e.responseContent(c);
        else if (!(msg instanceof HttpResponse)) ReferenceCountUtil.release(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        Exchange e = exchange;
        if (e != null) e.flushClient();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        Exchange e = exchange;
        if (e != null) e.upstreamWritable(ctx.channel().isWritable());
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        Exchange e = exchange;
        if (e != null) e.upstreamFailed(null);
        else pool.closed(this);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Exchange e = exchange;
        if (e != null) e.upstreamFailed(cause);
        ctx.close();
    }
}
