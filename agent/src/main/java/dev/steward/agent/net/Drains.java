package dev.steward.agent.net;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs what waits for a connection to take writes again: once its outbound buffer has drained below
 * the low-water mark, or once it has closed (nothing will drain then). One per connection, used on
 * its event loop only.
 */
public final class Drains extends ChannelInboundHandlerAdapter {
    private final List<Runnable> waiting = new ArrayList<>();

    /** Runs {@code r} on {@code ch}'s loop as soon as {@code ch} is writable or closed (at once if it is). */
    public static void whenWritable(Channel ch, Runnable r) {
        Loops.post(ch.eventLoop(), () -> {
            Drains d = ch.pipeline().get(Drains.class);
            if (d == null || ch.isWritable() || !ch.isActive()) r.run();
            else d.waiting.add(r);
        });
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) runAll();
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        runAll();
        ctx.fireChannelInactive();
    }

    private void runAll() {
        if (waiting.isEmpty()) return;
        List<Runnable> all = List.copyOf(waiting);
        waiting.clear();
        all.forEach(Runnable::run);
    }
}
