package dev.steward.agent.gateway;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

/**
 * Bytes from one channel to its peer, after a protocol switch (WebSocket): no parsing, reading paused
 * while the peer cannot take more, and each side closed when the other closes.
 */
final class Relay extends ChannelInboundHandlerAdapter {
    private final Channel peer;

    Relay(Channel peer) {
        this.peer = peer;
    }

    /**
     * Sends the instance's 101 to the client, then makes both connections byte relays; what the client sent after
     * its request ({@code fromClient}, or null) goes to the instance, and what the instance sent after its 101 follows
     * it to the client (see {@link Upstream#switchedTo}).
     */
    static void splice(Channel client, Upstream upstream, ByteBuf switching, ByteBuf fromClient) {
        Channel up = upstream.channel();
        client.writeAndFlush(switching);
        upstream.switchedTo(client);
        client.pipeline().replace(Frontend.class, "relay", new Relay(up));
        up.pipeline().replace(Upstream.class, "relay", new Relay(client));
        if (fromClient != null) up.writeAndFlush(fromClient);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf b) {
            peer.write(b);
            if (!peer.isWritable()) ctx.channel().config().setAutoRead(false);
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        peer.flush();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) peer.config().setAutoRead(true);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (peer.isActive()) peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
