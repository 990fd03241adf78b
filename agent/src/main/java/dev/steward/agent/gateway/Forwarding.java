package dev.steward.agent.gateway;

import dev.steward.agent.traffic.Endpoint;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.ArrayDeque;

/**
 * The {@link Phase.Stage} of a service call in which the request goes, and the response comes, over one
 * connection to an instance (the request counted in flight at its endpoint meanwhile): the relay both
 * ways. Reading from one side stops while the other cannot take more. It knows how far the response came
 * ({@link Phase.Response}) and, once the request went whole, when its head is due; what follows the
 * response's end, a switch of protocols or a failure is the call's and the exchange's to decide.
 */
final class Forwarding implements Phase.Stage {
    private final ServiceCall call;
    private final Exchange x;
    private final Channel client;
    private final Upstream upstream;
    private final Endpoint endpoint;
    private final int attempt;
    private final boolean reused;
    /** Where the response time goes, for latency-aware balancing; null when the route does not read it. */
    /** Whether the response head's latency is measured (a route with latency bounds). */
    private final boolean measures;
    private long sentAt;
    private Phase.Response response = Phase.AWAITING;
    /** Whether the request's end went over this connection. */
    private boolean endSent;
    private long bytes;
    /** When the response head must have come ({@link System#nanoTime()}), or 0 when nothing waits for one. */
    long headDeadline;

    /**
     * @param attempt 1, or 2 for the one retry
     * @param reused  whether the connection was a kept-alive one from the pool (the instance may have closed it meanwhile)
     */
    Forwarding(ServiceCall call, Upstream upstream, Endpoint endpoint, int attempt, boolean reused) {
        this.call = call;
        this.x = call.x;
        this.client = x.front.client;
        this.upstream = upstream;
        this.endpoint = endpoint;
        this.attempt = attempt;
        this.reused = reused;
        this.measures = call.route().latency() != null;
        upstream.relay = this;
    }

    Endpoint endpoint() {
        return endpoint;
    }

    int attempt() {
        return attempt;
    }

    boolean reused() {
        return reused;
    }

    Phase.Response response() {
        return response;
    }

    /** The response body's bytes relayed to the client so far. */
    long bytes() {
        return bytes;
    }

    // ---- the request, to the instance ------------------------------------------------------------

    /**
     * Writes the request head and the body pieces that waited for a connection, and the request's end when it
     * came already; the instance's answer is then due.
     */
    void send(HttpRequest head, ArrayDeque<HttpContent> waiting) {
        Channel ch = upstream.channel();
        head.headers().set(HttpHeaderNames.HOST, endpoint.hostAndPort());
        ch.write(head, ch.voidPromise());
        if (measures) sentAt = System.nanoTime();
        boolean end = false;
        if (waiting != null) {
            while (!waiting.isEmpty()) {
                HttpContent piece = waiting.poll();
                end |= piece instanceof LastHttpContent;
                ch.write(piece, ch.voidPromise());
            }
        }
        if (x.requestDone()) {
            // a retry: the whole (bodiless) request went to the first instance; end it here too, or the
            // connection's encoder would still wait for the end when it is next reused
            if (!end) ch.write(LastHttpContent.EMPTY_LAST_CONTENT, ch.voidPromise());
            sent();
        }
        ch.flush();
    }

    /** Writes a piece of the request body; false when the instance cannot take more for now. */
    boolean forward(HttpContent piece, boolean last) {
        Channel ch = upstream.channel();
        ch.write(piece, ch.voidPromise());
        if (last) sent();
        return ch.isWritable();
    }

    /** The request's end went over this connection: the response head is due within the route's timeout. */
    private void sent() {
        endSent = true;
        if (!x.upgrade && !answered()) {
            headDeadline = Math.max(1, System.nanoTime() + call.route().timeout().toNanos());
            x.gw.deadlines().watch(this);
        }
    }

    /** The head did not come in time (called by the event loop's {@link HeadDeadlines}). */
    void timedOut() {
        headDeadline = 0;
        call.timedOut(this);
    }

    void flush() {
        upstream.channel().flush();
    }

    boolean writable() {
        return upstream.channel().isWritable();
    }

    void clientWritable() {
        upstream.channel().config().setAutoRead(true);
    }

    // ---- the response, from the instance ---------------------------------------------------------

    /** Whether the final response head went to the client: the gateway can no longer answer itself. */
    boolean answered() {
        return response instanceof Phase.Streaming;
    }

    void head(HttpResponse r) {
        call.opened(); // the instance answered on this connection: it no longer counts as being opened
        int code = r.status().code();
        if (code == 101 && x.upgrade) {
            switchProtocols(r);
            return;
        }
        if (code < 200) { // 100 Continue and the like: passed on, the real response follows
            response = Phase.INFORMATIONAL;
            client.write(r);
            return;
        }
        headDeadline = 0;
        if (measures) {
            long now = System.nanoTime();
            x.gw.measured(endpoint, now - sentAt, now);
        }
        response = new Phase.Streaming(code, HttpUtil.isKeepAlive(r));
        x.answering(r, endpoint.instance());
        client.write(r, client.voidPromise());
    }

    void content(HttpContent piece) {
        boolean last = piece instanceof LastHttpContent;
        switch (response) {
            case Phase.Streaming s -> {
                bytes += piece.content().readableBytes();
                client.write(piece, client.voidPromise());
                if (!client.isWritable()) upstream.channel().config().setAutoRead(false);
                if (last) ended(s);
            }
            case Phase.Informational i -> {
                piece.release();
                if (last) response = Phase.AWAITING;
            }
            case Phase.Awaiting a -> piece.release(); // the decoder gives a head first: nothing to relay yet
        }
    }

    /** The response went whole: the connection goes back to the pool when the instance keeps it and the request went whole too. */
    private void ended(Phase.Streaming s) {
        detach();
        if (s.reusable() && endSent) upstream.release();
        else upstream.channel().close();
        client.flush();
        x.responded(s.status(), bytes);
    }

    /** A WebSocket (or other) upgrade accepted by the instance: both connections become byte relays. */
    private void switchProtocols(HttpResponse r) {
        headDeadline = 0;
        response = new Phase.Streaming(101, false);
        r.headers().set(Gateway.INSTANCE_HEADER, endpoint.instance());
        Relay.splice(client, upstream.channel(), r);
        upstream.relay = null;
        client.config().setAutoRead(true);
        x.switched();
    }

    void flushClient() {
        client.flush();
    }

    void upstreamWritable() {
        x.front.updateReading();
    }

    /** The connection failed or closed before the response ended. */
    void failed(Throwable cause) {
        call.upstreamFailed(this, cause);
    }

    // ---- the connection --------------------------------------------------------------------------

    /** Lets go of the connection: what it reads no longer reaches this exchange, and no head is due. */
    private void detach() {
        headDeadline = 0;
        upstream.relay = null;
        upstream.channel().config().setAutoRead(true);
    }

    /** Closes the connection, unless it was let go already. */
    void drop() {
        headDeadline = 0;
        if (upstream.relay != this) return;
        detach();
        upstream.channel().close();
    }
}
