package dev.steward.agent.gateway;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.socket.DuplexChannel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * One client connection: its requests as {@link MessageReader} finds them in its bytes, one {@link
 * Exchange} at a time. A request that arrives before the previous response ended (pipelining) waits,
 * and reading stops until its turn. Confined to the connection's event loop.
 */
final class Frontend extends ChannelInboundHandlerAdapter implements MessageReader.Parts {
    final Gateway gw;
    Channel client;
    private Exchange current;
    private final ArrayDeque<Object> waiting = new ArrayDeque<>();
    private boolean reading = true;
    private boolean closing;
    private String clientAddress;
    /** The protocol of the connection's last request, for the access log. */
    String protocol = "HTTP/1.1";

    final MessageReader reader;

    /** Bytes that cannot be read as a request (after what came before them): the gateway's answer, in its turn. */
    private record Bad(Reply reply) {}

    Frontend(Gateway gw) {
        this.gw = gw;
        this.reader = MessageReader.requests(gw.settings.maxHeader(), Gateway.ALLOCATOR);
    }

    /** When the last exchange ended (or the connection opened), in {@link System#nanoTime()}. */
    private long idleSince = System.nanoTime();

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        client = ctx.channel();
        scheduleIdleCheck(gw.settings.idle().toNanos());
        ctx.fireChannelActive();
    }

    /**
     * Closes the connection once it has been idle (no exchange) for the gateway's idle time. One timer per
     * connection, re-armed for the time left, rather than a clock read on every read and write.
     */
    private void scheduleIdleCheck(long delayNanos) {
        client.eventLoop().schedule(() -> {
            if (!client.isActive()) return;
            long idle = gw.settings.idle().toNanos();
            long left = idle - (System.nanoTime() - idleSince);
            if (current == null && left <= 0) client.close();
            else scheduleIdleCheck(current == null ? left : idle);
        }, delayNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (closing || !(msg instanceof ByteBuf bytes)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        reader.feed(bytes, this);
    }

    @Override
    public void head(Head head) {
        RequestHead h = (RequestHead) head;
        if (closing) return;
        if (!waiting.isEmpty() || current != null) {
            waiting.add(h);
            updateReading();
            return;
        }
        dispatch(h);
    }

    @Override
    public void body(Body piece) {
        if (closing) {
            piece.release();
        } else if (!waiting.isEmpty()) {
            waiting.add(piece);
        } else {
            dispatch(piece);
        }
    }

    @Override
    public void bad(Reply reply) {
        if (closing) return;
        if (!waiting.isEmpty() || current != null && current.requestDone()) {
            waiting.add(new Bad(reply));
            updateReading();
            return;
        }
        dispatch(new Bad(reply));
    }

    private void dispatch(Object msg) {
        switch (msg) {
            case RequestHead h -> start(h);
            case Body b -> {
                if (current != null && !current.requestDone()) current.requestContent(b);
                else b.release();
            }
            case Bad b -> {
                if (current != null && !current.requestDone()) current.malformedBody(b.reply());
                else start(RequestHead.refused(b.reply()));
            }
            default -> ReferenceCountUtil.release(msg);
        }
    }

    private void start(RequestHead h) {
        protocol = h.protocol();
        current = new Exchange(this, h);
        current.start();
    }

    /** The client's IP address, worked out once per connection. */
    String clientAddress() {
        if (clientAddress == null) {
            clientAddress = client.remoteAddress() instanceof java.net.InetSocketAddress a ? a.getAddress().getHostAddress() : "-";
        }
        return clientAddress;
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (current != null) current.flushUpstream();
        ctx.flush();
    }

    /** Called by the exchange when its response has been written whole. */
    void ended(Exchange e, boolean keepAlive) {
        if (e != current) return;
        current = null;
        idleSince = System.nanoTime();
        if (!keepAlive) {
            closing = true;
            releaseWaiting();
            lingeringClose();
            return;
        }
        while (!waiting.isEmpty() && !closing) {
            Object next = waiting.peek();
            if (next instanceof RequestHead && current != null) break;
            if (next instanceof Bad && current != null && current.requestDone()) break;
            dispatch(waiting.poll());
        }
        if (current != null) current.flushUpstream(); // what waited went out here, not on a read of this connection's
        updateReading();
    }

    /**
     * Closes after the answer without losing it: output is shut down first and what the client still sends
     * (a body we refused) is read and dropped for a while, so the client's kernel does not answer our close
     * with a reset that discards the answer before it is read.
     */
    private void lingeringClose() {
        reading = true;
        client.config().setAutoRead(true);
        client.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> {
            if (client instanceof DuplexChannel d && client.isActive()) d.shutdownOutput();
            client.eventLoop().schedule(() -> client.close(), LINGER_SECONDS, TimeUnit.SECONDS);
        });
    }

    static final int LINGER_SECONDS = 2;

    /** Reads from the client only when nothing waits and the exchange can take more. */
    void updateReading() {
        boolean want = waiting.isEmpty() && (current == null || current.wantsClientData());
        if (want != reading) {
            reading = want;
            client.config().setAutoRead(want);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (current != null) current.clientWritable(ctx.channel().isWritable());
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closing = true;
        if (current != null) current.clientGone();
        current = null;
        releaseWaiting();
        reader.release();
    }

    private void releaseWaiting() {
        for (Object o : waiting) {
            if (o instanceof Body b) b.release();
        }
        waiting.clear();
    }

    /** The connection becomes a byte relay (a protocol switch): what waited is dropped, and what the reader kept is handed over. */
    ByteBuf switched() {
        closing = true;
        current = null;
        releaseWaiting();
        reader.switchToRaw();
        ByteBuf rest = reader.leftover();
        reader.release();
        return rest;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
