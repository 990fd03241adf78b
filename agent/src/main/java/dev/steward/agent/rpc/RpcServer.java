package dev.steward.agent.rpc;

import dev.steward.agent.net.Drains;
import dev.steward.protocol.Frame;
import dev.steward.protocol.FrameLimits;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import java.net.InetSocketAddress;

/** One service on its own TCP port (or unix socket): each frame that opens a session is a call, handled on a virtual thread. */
final class RpcServer implements AutoCloseable {
    private final Channel listener;
    private final RpcService service;
    /** The connections accepted, closed with the server: a withdrawn service answers no one. */
    private final io.netty.channel.group.ChannelGroup clients =
            new io.netty.channel.group.DefaultChannelGroup(io.netty.util.concurrent.GlobalEventExecutor.INSTANCE);

    RpcServer(EventLoopGroup loops, Class<? extends io.netty.channel.ServerChannel> serverClass, InetSocketAddress address, RpcService service) {
        this(loops, loops, serverClass, address, service);
    }

    /** Connections are served by {@code children}: one event loop for an app, so its engine and its clients share a thread. */
    RpcServer(EventLoopGroup loops, EventLoopGroup children, Class<? extends io.netty.channel.ServerChannel> serverClass,
              java.net.SocketAddress address, RpcService service) {
        this.service = service;
        ServerBootstrap b = new ServerBootstrap().group(loops, children).channel(serverClass);
        if (address instanceof InetSocketAddress) b.childOption(ChannelOption.TCP_NODELAY, true);
        listener = b.childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        clients.add(ch);
                        ch.pipeline().addLast(new FrameCodec(FrameLimits.AGENT, "rpc " + service.name()), new Drains(), new Calls());
                    }
                })
                .bind(address).syncUninterruptibly().channel();
    }

    int port() {
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    private final class Calls extends SimpleChannelInboundHandler<Frame> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Frame f) {
            Channel ch = ctx.channel();
            if (!service.methods().containsKey((int) f.message()) || f.message() > Integer.MAX_VALUE) {
                Session.unknownMethod(ch, f.session());
                return;
            }
            Session s = new Session(ch, f.session());
            if (service.inline(f.message())) {
                run(f, s);
                return;
            }
            Thread.ofVirtual().name("steward-rpc-" + service.name()).start(() -> run(f, s));
        }

        private void run(Frame f, Session s) {
            try {
                service.call(f, s);
            } catch (BadArguments e) {
                s.error(dev.steward.protocol.Messages.INVOCATION_ERROR, e.getMessage());
            } catch (Exception e) {
                s.error(dev.steward.protocol.Messages.INVOCATION_ERROR, e.getClass().getSimpleName()
                        + (e.getMessage() == null ? "" : ": " + e.getMessage()));
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    @Override
    public void close() {
        listener.close().syncUninterruptibly();
        clients.close();
    }
}
