package dev.steward.agent.gateway;

import dev.steward.agent.engine.Invocable;
import dev.steward.agent.engine.Sink;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;

/**
 * The {@link Phase} of an exchange sent to an app, {@code http://GATEWAY/<app>/<event>} (see {@link
 * AppDoor}): the request body (up to {@link #MAX_DATA}) becomes the event's data, and the worker's
 * chunks the response body as they come. An error before the first chunk is a JSON answer (503 busy
 * or broken, 504 out of time, 500 the handler's); after it the connection is cut, as the status has
 * gone. The engine's calls arrive on its loop and are handed to the client connection's.
 */
final class AppCall implements Sink, Phase {
    /** The largest body taken for an event: one protocol frame carries it. */
    static final int MAX_DATA = 16 << 20;
    private final Exchange exchange;
    private final Invocable app;
    private final AppDoor.Event event;
    private final Channel client;
    private final boolean keepAlive;
    private ByteBuf body;
    private boolean started;
    private long sent;
    /** Set on the client's loop once the exchange is over (answered, or the client left). */
    private boolean over;

    AppCall(Exchange exchange, Invocable app, AppDoor.Event event, Channel client, boolean keepAlive) {
        this.exchange = exchange;
        this.app = app;
        this.event = event;
        this.client = client;
        this.keepAlive = keepAlive;
    }

    /** A piece of the request body; at its end the event is enqueued. False when the body is over the limit. */
    boolean content(Body c, boolean last) {
        try {
            if (body == null) body = Unpooled.buffer(Math.min(c.bytes().readableBytes(), MAX_DATA));
            if (body.readableBytes() + c.bytes().readableBytes() > MAX_DATA) return false;
            body.writeBytes(c.bytes());
        } finally {
            c.release();
        }
        if (last) {
            dev.steward.agent.engine.InvokeTrace.begin("request read");
            byte[] data = new byte[body.readableBytes()];
            body.readBytes(data);
            body.release();
            body = null;
            app.enqueue(event.name(), data, event.tag(), event.timeout(), this);
        }
        return true;
    }

    /** The exchange is over (answered, or the client left): the worker's calls no longer reach the client. */
    void finished() {
        over = true;
        if (body != null) body.release();
        body = null;
    }

    private void onClientLoop(Runnable r) {
        dev.steward.agent.net.Loops.post(client.eventLoop(), () -> {
            if (!over) r.run();
        });
    }

    private static final byte[] HEAD = ("HTTP/1.1 200 OK\r\ncontent-type: application/octet-stream\r\n"
            + "transfer-encoding: chunked\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] HEAD_CLOSE = ("HTTP/1.1 200 OK\r\ncontent-type: application/octet-stream\r\n"
            + "transfer-encoding: chunked\r\nconnection: close\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private void head() {
        if (started) return;
        started = true;
        client.write(Unpooled.wrappedBuffer(keepAlive ? HEAD : HEAD_CLOSE));
    }

    @Override
    public void chunk(byte[] data) {
        onClientLoop(() -> {
            head();
            sent += data.length;
            if (data.length == 0) return; // an empty chunk would end the body
            client.write(Heads.chunkStart(client.alloc(), data.length));
            client.write(Unpooled.wrappedBuffer(data));
            client.writeAndFlush(Heads.crlf(client.alloc()));
            dev.steward.agent.engine.InvokeTrace.mark("chunk written to the client");
        });
    }

    @Override
    public void error(int code, String message) {
        onClientLoop(() -> {
            if (started) {
                over = true;
                client.close();
                exchange.appEnded(200, sent);
                return;
            }
            over = true;
            exchange.appFailed(Sink.httpStatus(code), app.label().isEmpty() ? message : app.label() + ": " + message);
        });
    }

    @Override
    public boolean congested() {
        return !client.isWritable();
    }

    @Override
    public void whenDrained(Runnable r) {
        dev.steward.agent.net.Drains.whenWritable(client, r);
    }

    @Override
    public void cut() {
        client.close();
    }

    @Override
    public boolean abandoned() {
        return !client.isActive();
    }

    @Override
    public void end() {
        onClientLoop(() -> {
            head();
            over = true;
            client.writeAndFlush(Heads.lastChunk(client.alloc()));
            dev.steward.agent.engine.InvokeTrace.end("end written to the client");
            exchange.appEnded(200, sent);
        });
    }
}
