package dev.steward.agent.gateway;

import dev.steward.agent.scale.Demand;
import dev.steward.agent.traffic.Backend;
import dev.steward.agent.traffic.Endpoint;
import dev.steward.model.Route;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.AsciiString;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.Set;

/**
 * One request and its response, relayed between the client connection and an instance. Lives on
 * the client connection's event loop (upstream connections are made on the same loop), so it needs
 * no locks; the only other thread is the virtual thread that waits for a cold service to be ready,
 * which hands back to the loop.
 *
 * <p>Phases: routed, maybe held (scale from zero), connecting, forwarding, done. The request body is
 * forwarded as it arrives, buffered only while no upstream connection exists yet (reading stops then),
 * and reading from one side stops whenever the other side cannot take more, so memory stays bounded
 * whatever the body size.
 */
final class Exchange {
    private enum Phase { ROUTING, HOLDING, CONNECTING, FORWARDING, APP, DONE }

    private static final Set<HttpMethod> IDEMPOTENT = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS,
            HttpMethod.TRACE, HttpMethod.PUT, HttpMethod.DELETE);
    private final Frontend front;
    private final Gateway gw;
    private final HttpRequest req;
    /** The request target and Host as the client sent them (the request itself is rewritten for the instance). */
    private final String uri;
    private final String host;
    private final long t0 = System.nanoTime();
    private final EventLoop loop;
    private Phase phase = Phase.ROUTING;
    private String service = "";
    private Backend c;
    private Route route = Route.DEFAULT;
    private String path;
    private Endpoint endpoint;
    private Upstream up;
    private boolean reusedConnection;
    private boolean requestDone;
    private boolean requestSent;
    private boolean responseStarted;
    private boolean informational;
    private boolean upstreamKeepAlive;
    private boolean upgrade;
    private boolean keepAlive;
    private boolean retried;
    private boolean referenced;
    private boolean counted;
    private Demand.Meter meter;
    /** Body pieces that came while no upstream connection existed yet; made when first needed. */
    private ArrayDeque<HttpContent> buffered;
    private long bodyBytes;
    private long responseBytes;
    private long sentAt;
    private int status;
    /** When the response head must have come (System.nanoTime), or 0 when nothing waits for one. */
    long headDeadline;
    private AppCall appCall;

    Exchange(Frontend front, HttpRequest req) {
        this.front = front;
        this.gw = front.gw;
        this.req = req;
        this.uri = req.uri();
        this.host = req.headers().get(HttpHeaderNames.HOST);
        this.loop = front.client.eventLoop();
        this.keepAlive = HttpUtil.isKeepAlive(req);
    }

    boolean requestDone() {
        return requestDone;
    }

    // ---- the request ------------------------------------------------------------------------

    void start() {
        if (req.decoderResult().isFailure()) {
            requestDone = true;
            Throwable cause = req.decoderResult().cause();
            if (cause instanceof TooLongHttpHeaderException) reply(431, "the request's headers are over " + gw.settings.maxHeader() + " bytes", null, true);
            else if (cause instanceof TooLongHttpLineException) reply(414, "the request line is over 8192 bytes", null, true);
            else if (cause instanceof TooLongFrameException) reply(431, "the request is too long: " + cause.getMessage(), null, true);
            else reply(400, "malformed request: " + cause.getMessage(), null, true);
            return;
        }
        if (host == null && req.protocolVersion().equals(HttpVersion.HTTP_1_1)) {
            reply(400, "an HTTP/1.1 request needs a Host header", null, true);
            return;
        }
        if (!uri.startsWith("/")) {
            reply(400, "the request target must be a path starting with /, not '" + abbreviate(uri) + "'", null, true);
            return;
        }
        Router.Match match = gw.route(host, uri);
        c = match == null ? null : gw.backend(match.service());
        if (c == null) {
            if (startApp()) return;
            reply(404, match == null ? "no service answers " + abbreviate(uri) : "no service '" + match.service() + "'", null, false);
            return;
        }
        service = match.service();
        route = Gateway.routeOf(c);
        path = route.strip() ? match.path() : uri;
        long length = HttpUtil.getContentLength(req, -1L);
        if (length > route.maxBody()) {
            reply(413, "the request body of " + length + " bytes is over the route's limit of " + route.maxBody() + " bytes", null, true);
            return;
        }
        upgrade = Headers.isUpgrade(req.headers());
        if (c.spec().policy() == dev.steward.model.PolicyKind.DYNAMIC) { // only the autoscaler reads demand
            meter = gw.demand.of(service);
            meter.begin();
        }
        boolean byReference = Gateway.referencedByRequests(c);
        Endpoint e = gw.pick(c, route, null);
        if (e != null) {
            if (byReference) {
                c.use(); // cheap while others use it too; keeps it up until this response ends
                referenced = true;
            }
            connect(e);
        } else if (Gateway.startsOnDemand(c)) {
            hold(byReference);
        } else {
            reply(503, "service " + service + " has no instance ready (" + c.state().wire() + ")", "1", false);
        }
    }

    /** {@code /<app>/<event>} for a running app: true when this exchange became an app call. */
    private boolean startApp() {
        int q = uri.indexOf('?');
        String p = q < 0 ? uri : uri.substring(0, q);
        int slash = p.indexOf('/', 1);
        String name = slash < 0 ? p.substring(1) : p.substring(1, slash);
        var app = gw.app(name);
        if (app.isEmpty()) return false;
        service = name;
        String event;
        try { // a path's '+' is a plus, not a space
            event = slash < 0 ? "" : java.net.URLDecoder.decode(p.substring(slash + 1).replace("+", "%2B"), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            reply(400, "the event name in " + abbreviate(p) + " is not a well-formed path: " + e.getMessage(), null, false);
            return true;
        }
        if (event.isEmpty() || event.contains("/")) {
            reply(404, "app " + name + " takes events as /" + name + "/EVENT", null, false);
            return true;
        }
        if (HttpUtil.getContentLength(req, -1L) > AppCall.MAX_DATA) {
            reply(413, "an event's data is at most " + AppCall.MAX_DATA + " bytes", null, true);
            return true;
        }
        String t = req.headers().get("X-Steward-Timeout");
        try {
            appTimeout = t == null ? java.time.Duration.ZERO : dev.steward.model.Durations.parse(t);
        } catch (IllegalArgumentException e) {
            reply(400, "X-Steward-Timeout: '" + abbreviate(t) + "' is not a duration (like 500ms or 5s)", null, false);
            return true;
        }
        appTag = req.headers().get("X-Steward-Tag", "");
        route = dev.steward.model.Route.DEFAULT;
        appCall = new AppCall(this, app.get(), event, front.client, keepAlive);
        phase = Phase.APP;
        return true;
    }

    private java.time.Duration appTimeout;
    private String appTag;

    void appEnded(int code, long bytes) {
        status = code;
        responseBytes = bytes;
        responseStarted = true;
        finish(code);
        front.ended(this, keepAlive);
    }

    void appFailed(int code, String reason) {
        reply(code, reason, code == 503 ? "1" : null, false);
    }

    /**
     * Scale from zero: the request waits, off the event loop, until an instance is ready. The waiting
     * thread takes the reference (or wakes a dynamic service), so that starting the instance never runs
     * on the event loop; the reference becomes this exchange's when it resumes, or is given back when the
     * client left meanwhile.
     */
    private void hold(boolean byReference) {
        if (!gw.hold(service)) {
            reply(503, "service " + service + " is starting and " + gw.settings.maxHeld() + " requests already wait for it", "1", false);
            return;
        }
        phase = Phase.HOLDING;
        front.updateReading();
        Backend waitFor = c;
        Thread.ofVirtual().name("steward-hold-" + service).start(() -> {
            Optional<Endpoint> ready = Optional.empty();
            boolean took = false;
            try {
                if (byReference) {
                    waitFor.use();
                    took = true;
                } else {
                    waitFor.wake();
                }
                ready = waitFor.awaitReady(gw.settings.hold());
            } finally {
                gw.unhold(service);
                Optional<Endpoint> r = ready;
                boolean reference = took;
                loop.execute(() -> resume(r, reference));
            }
        });
    }

    private void resume(Optional<Endpoint> ready, boolean reference) {
        if (phase != Phase.HOLDING) { // the client went away meanwhile
            if (reference) c.release();
            return;
        }
        referenced = reference;
        if (ready.isEmpty()) {
            reply(503, "service " + service + " did not become ready within " + dev.steward.model.Durations.format(gw.settings.hold()), "5", false);
            return;
        }
        Endpoint e = gw.pick(c, route, null);
        connect(e != null ? e : ready.get());
    }

    private void connect(Endpoint e) {
        endpoint = e;
        lastSent = false;
        phase = Phase.CONNECTING;
        gw.inFlight.begin(e.instance());
        counted = true;
        gw.pool().acquire(loop, e, this::attached, this::connectFailed);
    }

    private void attached(Upstream u, boolean reused) {
        if (phase != Phase.CONNECTING) { // the client went away while connecting
            if (reused) gw.pool().release(u);
            else u.channel().close();
            return;
        }
        up = u;
        u.exchange = this;
        reusedConnection = reused;
        phase = Phase.FORWARDING;
        Channel ch = u.channel();
        ch.write(upstreamHead(), ch.voidPromise());
        if (route.latency() != null) sentAt = System.nanoTime();
        if (buffered != null) {
            while (!buffered.isEmpty()) {
                HttpContent piece = buffered.poll();
                if (piece instanceof LastHttpContent) lastSent = true;
                ch.write(piece, ch.voidPromise());
            }
        }
        if (requestDone && !lastSent) {
            // a retry: the whole (bodiless) request went to the first instance; end it here too, or the
            // connection's encoder would still wait for the end when it is next reused
            ch.write(LastHttpContent.EMPTY_LAST_CONTENT, ch.voidPromise());
            lastSent = true;
        }
        if (requestDone) requestSent();
        ch.flush();
        front.updateReading();
    }

    /**
     * The request as the instance gets it: the path without the prefix, hop-by-hop headers dropped, forwarding
     * headers added. Rewritten in place the first time (the original target and Host are kept aside); a retry
     * only changes Host.
     */
    private HttpRequest upstreamHead() {
        HttpHeaders h = req.headers();
        h.set(HttpHeaderNames.HOST, endpoint.hostAndPort());
        if (rewritten) return req;
        rewritten = true;
        Headers.stripHopByHop(h, upgrade);
        String prior = h.get(X_FORWARDED_FOR);
        String client = front.clientAddress();
        h.set(X_FORWARDED_FOR, prior == null ? client : prior + ", " + client);
        h.set(X_FORWARDED_PROTO, HTTP);
        if (host != null) h.set(X_FORWARDED_HOST, host);
        if (req.protocolVersion().equals(HttpVersion.HTTP_1_0) && !HttpUtil.isContentLengthSet(req) && !upgrade) {
            h.set(HttpHeaderNames.CONTENT_LENGTH, 0); // an HTTP/1.0 request without a length has no body
        }
        req.setUri(path);
        req.setProtocolVersion(HttpVersion.HTTP_1_1);
        return req;
    }

    private static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");
    private static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("x-forwarded-proto");
    private static final AsciiString X_FORWARDED_HOST = AsciiString.cached("x-forwarded-host");
    private static final AsciiString HTTP = AsciiString.cached("http");
    private boolean rewritten;
    /** Whether the request's end went to the current upstream connection. */
    private boolean lastSent;

    private void connectFailed(Throwable cause) {
        if (phase != Phase.CONNECTING) return;
        upstreamFailed(cause);
    }

    void requestContent(HttpContent content) {
        bodyBytes += content.content().readableBytes();
        boolean last = content instanceof LastHttpContent;
        if (last) requestDone = true;
        if (bodyBytes > route.maxBody()) {
            content.release();
            if (phase != Phase.DONE && !responseStarted) {
                reply(413, "the request body is over the route's limit of " + route.maxBody() + " bytes", null, true);
            } else {
                front.client.close();
            }
            return;
        }
        switch (phase) {
            case APP -> {
                if (!appCall.content(content, last, appTag, appTimeout)) {
                    appCall.over = true;
                    appCall.release();
                    reply(413, "an event's data is at most " + AppCall.MAX_DATA + " bytes", null, true);
                }
            }
            case FORWARDING -> {
                up.channel().write(content, up.channel().voidPromise());
                if (last) {
                    lastSent = true;
                    requestSent();
                }
                if (!up.channel().isWritable()) front.updateReading();
            }
            case HOLDING, CONNECTING -> {
                if (buffered == null) buffered = new ArrayDeque<>();
                buffered.add(content);
                front.updateReading();
            }
            default -> content.release();
        }
    }

    private void requestSent() {
        requestSent = true;
        if (!responseStarted && !upgrade) {
            boolean watched = headDeadline != 0;
            headDeadline = Math.max(1, System.nanoTime() + route.timeout().toNanos());
            if (!watched) gw.deadlines().watch(this);
        }
    }

    void timedOut() {
        headDeadline = 0;
        if (phase != Phase.FORWARDING || responseStarted) return;
        dropUpstream();
        reply(504, "instance " + endpoint.instance() + " of " + service + " did not answer within " + dev.steward.model.Durations.format(route.timeout()), null, false);
    }

    void flushUpstream() {
        if (phase == Phase.FORWARDING) up.channel().flush();
    }

    /** Whether to read more from the client: not while held or connecting, nor while the instance cannot take more. */
    boolean wantsClientData() {
        return switch (phase) {
            case HOLDING, CONNECTING -> requestDone && (buffered == null || buffered.isEmpty());
            case FORWARDING -> requestDone || up.channel().isWritable();
            default -> true;
        };
    }

    void upstreamWritable(boolean writable) {
        front.updateReading();
    }

    // ---- the response ------------------------------------------------------------------------

    void responseHead(HttpResponse r) {
        int code = r.status().code();
        if (code == 101 && upgrade) {
            switchProtocols(r);
            return;
        }
        if (code < 200) {
            informational = true; // 100 Continue and the like: passed on, the real response follows
            front.client.write(r);
            return;
        }
        cancelTimeout();
        status = code;
        if (route.latency() != null) { // only latency-aware balancing reads them
            long now = System.nanoTime();
            gw.latencies.record(endpoint.instance(), now - sentAt, now);
        }
        upstreamKeepAlive = HttpUtil.isKeepAlive(r);
        HttpHeaders h = r.headers();
        Headers.stripHopByHop(h, false);
        h.set(Gateway.INSTANCE_HEADER, endpoint.instance());
        boolean bodiless = req.method().equals(HttpMethod.HEAD) || code == 204 || code == 304;
        if (!bodiless && !HttpUtil.isContentLengthSet(r) && !HttpUtil.isTransferEncodingChunked(r)) {
            // delimited by the instance closing: the client gets it chunked, or (HTTP/1.0) delimited by our close
            if (req.protocolVersion().equals(HttpVersion.HTTP_1_1)) HttpUtil.setTransferEncodingChunked(r, true);
            else keepAlive = false;
        }
        if (req.protocolVersion().equals(HttpVersion.HTTP_1_0) && HttpUtil.isTransferEncodingChunked(r)) {
            HttpUtil.setTransferEncodingChunked(r, false);
            keepAlive = false;
        }
        if (!requestDone) keepAlive = false; // answered before the body ended: where the next request starts is unknown
        if (!keepAlive) h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        else if (req.protocolVersion().equals(HttpVersion.HTTP_1_0)) h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        r.setProtocolVersion(HttpVersion.HTTP_1_1);
        responseStarted = true;
        front.client.write(r, front.client.voidPromise());
    }

    void responseContent(HttpContent content) {
        if (phase != Phase.FORWARDING) {
            content.release();
            return;
        }
        boolean last = content instanceof LastHttpContent;
        if (informational) {
            content.release();
            if (last) informational = false;
            return;
        }
        responseBytes += content.content().readableBytes();
        front.client.write(content, front.client.voidPromise());
        if (!front.client.isWritable()) up.channel().config().setAutoRead(false);
        if (last) responseEnded();
    }

    private void responseEnded() {
        Upstream u = up;
        boolean reusable = upstreamKeepAlive && requestSent;
        detach();
        if (reusable) gw.pool().release(u);
        else u.channel().close();
        front.client.flush();
        finish(status);
        front.ended(this, keepAlive);
    }

    void flushClient() {
        front.client.flush();
    }

    void clientWritable(boolean writable) {
        if (writable && up != null) up.channel().config().setAutoRead(true);
    }

    /** A WebSocket (or other) upgrade accepted by the instance: both connections become byte relays. */
    private void switchProtocols(HttpResponse r) {
        cancelTimeout();
        status = 101;
        responseStarted = true;
        r.headers().set(Gateway.INSTANCE_HEADER, endpoint.instance());
        Channel client = front.client;
        Channel upstream = up.channel();
        client.writeAndFlush(r);
        // The 101 is encoded by now (same loop). From here on bytes only: encoders first, so that what the
        // decoders still hold goes out raw when they are removed.
        client.pipeline().get(HttpServerCodec.class).removeOutboundHandler();
        upstream.pipeline().get(HttpClientCodec.class).removeOutboundHandler();
        client.pipeline().replace(Frontend.class, "relay", new Relay(upstream));
        upstream.pipeline().replace(Upstream.class, "relay", new Relay(client));
        client.pipeline().remove(HttpServerCodec.class);
        upstream.pipeline().remove(HttpClientCodec.class);
        up.exchange = null;
        up = null;
        client.config().setAutoRead(true);
        finish(101);
    }

    // ---- failures -----------------------------------------------------------------------------

    /** The connection to the instance failed or closed before the response ended. */
    void upstreamFailed(Throwable cause) {
        if (phase == Phase.DONE) return;
        Endpoint failed = endpoint;
        dropUpstream();
        if (responseStarted) {
            // part of the response went out: the client sees the connection end
            finish(status);
            front.client.close();
            return;
        }
        if (!retried && retryable()) {
            retried = true;
            gw.inFlight.end(failed.instance());
            counted = false;
            Endpoint other = gw.pick(c, route, failed.instance());
            if (other == null && reusedConnection) other = failed; // a kept-alive connection the instance had closed
            if (other != null) {
                connect(other);
                return;
            }
        }
        reply(502, "instance " + failed.instance() + " of " + service + " did not answer: "
                + (cause == null ? "connection closed" : cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : " (" + cause.getMessage() + ")")),
                null, !requestDone);
    }

    /** An idempotent method whose whole request (no body) is still at hand can be sent again. */
    private boolean retryable() {
        return IDEMPOTENT.contains(req.method()) && requestDone && bodyBytes == 0 && !upgrade;
    }

    void clientGone() {
        if (phase == Phase.DONE) return;
        if (appCall != null) {
            appCall.over = true;
            appCall.release();
        }
        dropUpstream();
        finish(responseStarted ? status : 499);
    }

    private void dropUpstream() {
        cancelTimeout();
        if (up != null) {
            Upstream u = up;
            detach();
            u.channel().close();
        }
    }

    private void detach() {
        if (up != null) {
            up.exchange = null;
            up.channel().config().setAutoRead(true);
            up = null;
        }
    }

    private void cancelTimeout() {
        headDeadline = 0;
    }

    private void releaseBuffered() {
        if (buffered == null) return;
        buffered.forEach(HttpContent::release);
        buffered.clear();
    }

    /** The gateway's own answer; closes the connection when asked or when the request body was not read. */
    private void reply(int code, String reason, String retryAfter, boolean close) {
        dropUpstream();
        if (!requestDone) close = true;
        if (close) keepAlive = false;
        releaseBuffered();
        status = code;
        var r = Replies.error(code, reason, retryAfter, !keepAlive);
        responseBytes = r.content().readableBytes();
        front.client.write(r);
        front.client.flush();
        finish(code);
        front.ended(this, keepAlive);
    }

    /** Once: counts ended, references released, the request reported. */
    private void finish(int code) {
        if (phase == Phase.DONE) return;
        phase = Phase.DONE;
        releaseBuffered();
        if (counted) gw.inFlight.end(endpoint.instance());
        counted = false;
        if (meter != null) meter.end();
        if (referenced) c.release();
        referenced = false;
        gw.observer.served(new Gateway.Served(service, front.clientAddress(), req.method().name(), uri, front.protocol, code,
                System.nanoTime() - t0, responseBytes, endpoint == null ? "" : endpoint.instance()));
    }

    private static String abbreviate(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }
}
