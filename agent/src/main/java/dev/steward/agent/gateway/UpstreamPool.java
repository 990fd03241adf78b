package dev.steward.agent.gateway;

import dev.steward.agent.traffic.Endpoint;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * Keep-alive connections to instances, owned by one event loop (no locks): the most recently used
 * idle connection is reused first; a connection that closes while idle leaves the pool.
 */
final class UpstreamPool {
    static final int MAX_IDLE_PER_ENDPOINT = 256;
    private final Gateway gw;
    private final Map<String, ArrayDeque<Upstream>> idle = new HashMap<>();
    private Bootstrap bootstrap;

    UpstreamPool(Gateway gw) {
        this.gw = gw;
    }

    private static String key(Endpoint e) {
        return e.hostAndPort();
    }

    /** The most recently used idle connection to {@code e} that is still open, taken out of the pool; null when none. */
    Upstream idle(Endpoint e) {
        ArrayDeque<Upstream> q = idle.get(key(e));
        while (q != null && !q.isEmpty()) {
            Upstream u = q.pollFirst();
            if (u.channel().isActive()) return u;
        }
        return null;
    }

    /**
     * Opens a new connection to {@code e} for {@code x}: {@link ServiceCall#attached} once connected, or
     * {@link ServiceCall#connectFailed} with the cause when it cannot be made.
     */
    void open(EventLoop loop, Endpoint e, ServiceCall x) {
        if (bootstrap == null) {
            bootstrap = new Bootstrap().group(loop).channel(gw.socketClass)
                    .option(ChannelOption.TCP_NODELAY, true).option(ChannelOption.ALLOCATOR, Gateway.ALLOCATOR)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5000);
            if (gw.readGroup != 0) bootstrap.option(io.netty.channel.uring.IoUringChannelOption.IO_URING_BUFFER_GROUP_ID, gw.readGroup);
        }
        String k = key(e);
        bootstrap.clone().handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                ch.pipeline().addLast("up", new Upstream(UpstreamPool.this, k));
            }
        }).connect(e.host(), e.port()).addListener((ChannelFutureListener) f -> {
            if (f.isSuccess()) x.attached(f.channel().pipeline().get(Upstream.class), false);
            else x.connectFailed(f.cause());
        });
    }

    /** Puts a connection whose exchange ended cleanly back for reuse. */
    void release(Upstream u) {
        if (!u.channel().isActive()) return;
        ArrayDeque<Upstream> q = idle.computeIfAbsent(u.key(), k -> new ArrayDeque<>());
        if (q.size() >= MAX_IDLE_PER_ENDPOINT) {
            u.channel().close();
            return;
        }
        q.addFirst(u);
    }

    /** A connection closed while idle. */
    void closed(Upstream u) {
        ArrayDeque<Upstream> q = idle.get(u.key());
        if (q != null) {
            q.remove(u);
            if (q.isEmpty()) idle.remove(u.key());
        }
    }
}
