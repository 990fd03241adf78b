package dev.steward.agent.gateway;

import dev.steward.agent.traffic.Endpoint;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import java.util.ArrayDeque;

/**
 * The {@link Phase.Stage} of a service call in which the request goes, and the response comes, over one
 * connection to an instance (the request counted in flight at its endpoint meanwhile): the relay both
 * ways, as bytes: the heads written anew from the heads as they came ({@link Heads}), the bodies as they
 * came unless the client needs them framed otherwise. Reading from one side stops while the other cannot take more. It knows how far the response came
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
    /** How the response body goes to the client, once its head went. */
    private Heads.Framing framing = Heads.Framing.AS_IS;
    /**
     * The response head for the client, written with the body's first piece (a small body copied into it: one buffer
     * for both), or at the end of the read that brought it; null once written.
     */
    private ByteBuf headOut;
    /** A body piece up to this many bytes goes out in the head's buffer. */
    static final int MERGED_BODY = 2048;
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
    void send(ArrayDeque<Body> waiting) {
        Channel ch = upstream.channel();
        upstream.reader.answersHead(x.req.isHead());
        ch.write(x.headForInstance(endpoint.hostAndPort()), ch.voidPromise());
        if (dev.steward.agent.ColdTrace.ON && call.wasHeld()) dev.steward.agent.ColdTrace.mark("request written to " + endpoint.hostAndPort() + (reused ? " (kept-alive)" : " (new connection)"));
        if (measures) sentAt = System.nanoTime();
        boolean end = false;
        if (waiting != null) {
            while (!waiting.isEmpty()) {
                Body piece = waiting.poll();
                end |= piece.last();
                write(ch, piece);
            }
        }
        if (x.requestDone()) {
            // a retry: the whole (bodiless) request went to the first instance; a chunked one ends here too
            if (!end && x.req.chunked) ch.write(Heads.lastChunk(ch.alloc()), ch.voidPromise());
            sent();
        }
        ch.flush();
    }

    /** Writes a piece of the request body; false when the instance cannot take more for now. */
    boolean forward(Body piece, boolean last) {
        Channel ch = upstream.channel();
        write(ch, piece);
        if (last) sent();
        return ch.isWritable();
    }

    /** A piece of the request body as the instance gets it: chunked anew when the client sent it chunked, its trailers at the end. */
    private void write(Channel ch, Body piece) {
        if (!x.req.chunked) {
            if (piece.bytes().isReadable()) ch.write(piece.bytes(), ch.voidPromise());
            else piece.release();
            return;
        }
        if (piece.payload() > 0) {
            ch.write(Heads.chunkStart(ch.alloc(), piece.payload()), ch.voidPromise());
            ch.write(piece.bytes(), ch.voidPromise());
            ch.write(Heads.crlf(ch.alloc()), ch.voidPromise());
        } else {
            piece.bytes().release();
        }
        if (piece.last()) ch.write(Heads.lastChunk(ch.alloc(), piece.trailers()), ch.voidPromise());
        else if (piece.trailers() != null) piece.trailers().release();
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

    void head(ResponseHead r) {
        if (dev.steward.agent.ColdTrace.ON && call.wasHeld()) dev.steward.agent.ColdTrace.mark("response head " + r.status + " read");
        call.opened(); // the instance answered on this connection: it no longer counts as being opened
        int code = r.status;
        if (code == 101 && x.upgrade) {
            switchProtocols(r);
            return;
        }
        if (code < 200) { // 100 Continue and the like: passed on as it came, the real response follows
            response = Phase.INFORMATIONAL;
            client.write(io.netty.buffer.Unpooled.wrappedBuffer(r.raw), client.voidPromise());
            return;
        }
        headDeadline = 0;
        if (measures) {
            long now = System.nanoTime();
            x.gw.measured(endpoint, now - sentAt, now);
        }
        response = new Phase.Streaming(code, r.keepAlive);
        Heads.ForClient c = x.answering(r);
        framing = c.framing();
        if (framing == Heads.Framing.UNCHUNKED) upstream.reader.relaysChunks(false);
        boolean smallBody = framing == Heads.Framing.AS_IS && r.contentLength > 0 && r.contentLength <= MERGED_BODY && !x.req.isHead();
        int room = smallBody ? (int) r.contentLength : 0;
        headOut = Heads.forClient(client.alloc(), r, x.req, endpoint.instance(), c, room);
    }

    /** The response head, if it waits, goes out now. */
    private void writeHead() {
        ByteBuf h = headOut;
        if (h != null) {
            headOut = null;
            client.write(h, client.voidPromise());
        }
    }

    void content(Body piece) {
        switch (response) {
            case Phase.Streaming s -> {
                bytes += piece.payload();
                boolean last = piece.last();
                ByteBuf h = headOut;
                if (h != null && framing == Heads.Framing.AS_IS && piece.bytes().readableBytes() <= MERGED_BODY) {
                    headOut = null; // head and body in one buffer
                    h.writeBytes(piece.bytes());
                    piece.release();
                    client.write(h, client.voidPromise());
                } else if (framing == Heads.Framing.CHUNKED_ANEW) {
                    writeHead();
                    if (piece.payload() > 0) {
                        client.write(Heads.chunkStart(client.alloc(), piece.payload()), client.voidPromise());
                        client.write(piece.bytes(), client.voidPromise());
                        client.write(Heads.crlf(client.alloc()), client.voidPromise());
                    } else {
                        piece.release();
                    }
                    if (last) client.write(Heads.lastChunk(client.alloc()), client.voidPromise());
                } else {
                    writeHead();
                    if (piece.bytes().isReadable()) client.write(piece.bytes(), client.voidPromise());
                    else piece.release();
                }
                if (!client.isWritable()) upstream.channel().config().setAutoRead(false);
                if (last) ended(s);
            }
            case Phase.Informational i -> piece.release();
            case Phase.Awaiting a -> piece.release(); // the reader gives a head first: nothing to relay yet
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
    private void switchProtocols(ResponseHead r) {
        headDeadline = 0;
        response = new Phase.Streaming(101, false);
        upstream.reader.switchToRaw();
        ByteBuf fromClient = x.front.switched();
        Relay.splice(client, upstream, Heads.switching(client.alloc(), r, endpoint.instance()), fromClient);
        upstream.relay = null;
        client.config().setAutoRead(true);
        x.switched();
    }

    void flushClient() {
        writeHead();
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
        if (headOut != null) { // never reached the client: the response failed before its body
            headOut.release();
            headOut = null;
        }
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
