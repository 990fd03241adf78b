package dev.steward.agent.net;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;

/** A kernel interface for Netty's event loops, with its channel classes: io_uring, epoll or Java NIO. */
public record Transport(String name, IoHandlerFactory handlers, Class<? extends ServerChannel> server, Class<? extends SocketChannel> socket) {
    /** The best transport there is, or the one {@code wanted} names (io_uring, epoll, nio) when it is there. */
    public static Transport best(String wanted) {
        if ((wanted.isEmpty() || wanted.equals("io_uring")) && io.netty.channel.uring.IoUring.isAvailable()) {
            return new Transport("io_uring", io.netty.channel.uring.IoUringIoHandler.newFactory(),
                    io.netty.channel.uring.IoUringServerSocketChannel.class, io.netty.channel.uring.IoUringSocketChannel.class);
        }
        if ((wanted.isEmpty() || wanted.equals("epoll")) && Epoll.isAvailable()) {
            return new Transport("epoll", EpollIoHandler.newFactory(), EpollServerSocketChannel.class, EpollSocketChannel.class);
        }
        return new Transport("nio", NioIoHandler.newFactory(), NioServerSocketChannel.class, NioSocketChannel.class);
    }
}
