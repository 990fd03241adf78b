package dev.steward.agent.engine;

import dev.steward.agent.rpc.FrameCodec;
import dev.steward.protocol.Frame;
import dev.steward.protocol.FrameLimits;
import dev.steward.protocol.Messages;
import dev.steward.protocol.ProtocolException;
import dev.steward.protocol.WorkerMessage;
import dev.steward.protocol.WorkerMessage.FromWorker;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.socket.nio.NioServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An app's unix socket: workers connect, say who they are (handshake with their uuid), and from then
 * on every frame goes to the app's engine, on the app's event loop. A worker that is not expected, or
 * sends what a worker must not, gets an error and its connection is closed.
 */
final class WorkerServer implements AutoCloseable {
    private final Channel listener;
    private final Path path;

    WorkerServer(EventLoopGroup accept, EventLoop loop, boolean epoll, Path path, AppEngine engine) throws IOException {
        this.path = path;
        Files.createDirectories(path.getParent());
        Files.deleteIfExists(path);
        if (path.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 107) {
            throw new IOException("the worker socket path " + path + " is longer than a unix socket path may be");
        }
        SocketAddress address = epoll ? new DomainSocketAddress(path.toFile()) : UnixDomainSocketAddress.of(path);
        listener = new ServerBootstrap().group(accept, loop)
                .channel(epoll ? EpollServerDomainSocketChannel.class : NioServerDomainSocketChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new FrameCodec(FrameLimits.AGENT, "worker socket " + path.getFileName()), new Link(engine, path.getFileName().toString()));
                    }
                })
                .bind(address).syncUninterruptibly().channel();
    }

    /**
     * One worker's connection. A frame of a message the protocol does not have (a newer worker
     * library's) is logged, once per message, and dropped; the worker goes on.
     */
    private static final class Link extends SimpleChannelInboundHandler<Frame> {
        private final AppEngine engine;
        private final String socket;
        private final java.util.Set<Long> unknownSeen = new java.util.HashSet<>();
        private Slave slave;

        Link(AppEngine engine, String socket) {
            this.engine = engine;
            this.socket = socket;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Frame f) {
            try {
                if (slave != null && (f.message() < 0 || f.message() > Messages.CHOKE)) {
                    if (unknownSeen.size() < 16 && unknownSeen.add(f.message())) {
                        System.err.println("steward: " + socket + ": worker " + slave.id + " sent message " + f.message()
                                + " (session " + f.session() + "), which the worker protocol does not have: dropped");
                    }
                    return;
                }
                if (slave != null) engine.receive(slave, FromWorker.decode(f));
                else greet(ctx, f);
            } catch (ProtocolException e) {
                refuse(ctx, e.getMessage());
            }
        }

        /** The first frame: a handshake with a uuid the app waits for; a broken handshake is refused with what is wrong. */
        private void greet(ChannelHandlerContext ctx, Frame f) throws ProtocolException {
            if (f.message() == Messages.HANDSHAKE && FromWorker.decode(f) instanceof WorkerMessage.Handshake h) {
                slave = engine.handshake(ctx.channel(), h.uuid());
            }
            if (slave == null) refuse(ctx, "a worker must first say its uuid, one this app is waiting for");
        }

        private static void refuse(ChannelHandlerContext ctx, String why) {
            ctx.writeAndFlush(new WorkerMessage.Error(0, Messages.INVOCATION_ERROR, why).frame()).addListener(ChannelFutureListener.CLOSE);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            engine.flush(slave);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (slave != null) engine.disconnected(slave);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    @Override
    public void close() {
        listener.close().syncUninterruptibly();
        try {
            Files.deleteIfExists(path);
        } catch (IOException ignored) {
            // a stale socket is replaced at the next start
        }
    }
}
