package dev.steward.agent.net;

import io.netty.buffer.ByteBufAllocator;
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
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringAdaptiveBufferRingAllocator;
import io.netty.channel.uring.IoUringBufferRingConfig;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringIoHandlerConfig;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;

/**
 * A kernel interface for Netty's event loops, with its channel classes: io_uring, epoll or Java NIO.
 *
 * @param bufferGroup the io_uring buffer ring its loops have, which a channel reads into when given it
 *                    ({@link io.netty.channel.uring.IoUringChannelOption#IO_URING_BUFFER_GROUP_ID}); 0 when none
 */
public record Transport(String name, IoHandlerFactory handlers, Class<? extends ServerChannel> server, Class<? extends SocketChannel> socket,
                        short bufferGroup) {
    /** The buffer group of {@link #withReadRing}'s loops. */
    static final short RING_GROUP = 1;
    /**
     * Buffers in each loop's ring (a power of two), and the most a buffer grows to: at most 1 MiB per loop, taken
     * when the loop starts. A buffer taken by a read is replaced at once, so what connections keep does not empty it.
     */
    static final short RING_SIZE = 64;
    static final int RING_BUFFER_MAX = 16 * 1024;

    /** The best transport there is, or the one {@code wanted} names (io_uring, epoll, nio) when it is there. */
    public static Transport best(String wanted) {
        return best(wanted, null);
    }

    /**
     * As {@link #best(String)}, and under io_uring each loop gets a ring of read buffers from {@code alloc}
     * (the kernel's provided buffers): a channel given its {@link #bufferGroup} then reads with one multishot
     * receive that stays armed, instead of a readiness poll and a receive submitted anew after each read. A loop that
     * only accepts needs no ring: {@link #best(String)}'s handlers for it.
     */
    public static Transport withReadRing(String wanted, ByteBufAllocator alloc) {
        return best(wanted, alloc);
    }

    private static Transport best(String wanted, ByteBufAllocator ringFrom) {
        if ((wanted.isEmpty() || wanted.equals("io_uring")) && IoUring.isAvailable()) {
            boolean ring = ringFrom != null && IoUring.isRegisterBufferRingSupported() && IoUring.isRecvMultishotEnabled();
            IoHandlerFactory handlers = ring
                    ? IoUringIoHandler.newFactory(new IoUringIoHandlerConfig().setBufferRingConfig(IoUringBufferRingConfig.builder()
                            .bufferGroupId(RING_GROUP).bufferRingSize(RING_SIZE).batchSize(RING_SIZE / 4)
                            .allocator(new IoUringAdaptiveBufferRingAllocator(ringFrom, IoUringAdaptiveBufferRingAllocator.DEFAULT_MINIMUM,
                                    IoUringAdaptiveBufferRingAllocator.DEFAULT_INITIAL, RING_BUFFER_MAX)).build()))
                    : IoUringIoHandler.newFactory();
            return new Transport("io_uring", handlers, IoUringServerSocketChannel.class, IoUringSocketChannel.class, ring ? RING_GROUP : 0);
        }
        if ((wanted.isEmpty() || wanted.equals("epoll")) && Epoll.isAvailable()) {
            return new Transport("epoll", EpollIoHandler.newFactory(), EpollServerSocketChannel.class, EpollSocketChannel.class, (short) 0);
        }
        return new Transport("nio", NioIoHandler.newFactory(), NioServerSocketChannel.class, NioSocketChannel.class, (short) 0);
    }
}
