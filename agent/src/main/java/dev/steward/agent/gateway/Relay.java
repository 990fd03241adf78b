package dev.steward.agent.gateway;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpServerCodec;
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
     * Sends the instance's 101 to the client, then makes both connections byte relays: encoders go first,
     * so that what the decoders still hold goes out raw when they are removed.
     */
    static void splice(Channel client, Channel upstream, HttpResponse switching) {
        client.writeAndFlush(switching); // encoded by the time this returns (same loop)
        client.pipeline().get(HttpServerCodec.class).removeOutboundHandler();
        upstream.pipeline().get(HttpClientCodec.class).removeOutboundHandler();
        client.pipeline().replace(Frontend.class, "relay", new Relay(upstream));
        upstream.pipeline().replace(Upstream.class, "relay", new Relay(client));
        client.pipeline().remove(HttpServerCodec.class);
        upstream.pipeline().remove(HttpClientCodec.class);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf b) {
            peer.write(b);
            if (!peer.isWritable()) ctx.channel().config().setAutoRead(false);
        } else {
            ReferenceCountUtil.release(msg); // the end marker of the message that switched protocols
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
