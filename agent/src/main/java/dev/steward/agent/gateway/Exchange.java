package dev.steward.agent.gateway;

import dev.steward.agent.ColdTrace;
import dev.steward.agent.traffic.Backend;
import dev.steward.model.Route;
import io.netty.channel.EventLoop;
import java.util.Set;

/**
 * One request and its response, relayed between the client connection and an instance (a {@link
 * ServiceCall}) or an app's worker (an {@link AppCall}). Lives on the client connection's event loop
 * (upstream connections are made on the same loop), so it needs no locks; the only other threads are
 * the virtual thread that waits for a cold service to be ready and the app engine's, which hand back
 * to the loop.
 *
 * <p>Its {@link Phase}s: routing, a call, done. The request body is forwarded as it arrives, buffered
 * only while no upstream connection exists yet (reading stops then), and reading from one side stops
 * whenever the other side cannot take more, so memory stays bounded whatever the body size. The client
 * connection is kept open after the response when the client asked for it and where the next request
 * starts is known.
 */
final class Exchange {
    private static final Set<String> IDEMPOTENT = Set.of("GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE");
    final Frontend front;
    final Gateway gw;
    final EventLoop loop;
    /** The request's head as the client sent it. */
    final RequestHead req;
    /** Whether the client asks to switch protocols (WebSocket). */
    final boolean upgrade;
    /** The request target, made canonical by {@link Paths} once the request is found well-formed. */
    private String uri;
    private final String host;
    final long t0 = System.nanoTime();
    private Phase phase = Phase.ROUTING;
    /** Whether the request body came whole from the client. */
    private boolean ended;
    private long bodyBytes;
    private long maxBody = Route.DEFAULT.maxBody();
    /** Whether the client connection stays open after this exchange: as the client asked, until the answer rules it out. */
    private boolean keepAlive;
    /** The service or app the request went to, for the report; "" when none. */
    private String service = "";
    /** The target instances get (the route's prefix taken off, or not), once routed to a service. */
    private String forwardTarget;
    /** Whether the backend checks credentials, which instances then do not get. */
    private boolean guarded;

    Exchange(Frontend front, RequestHead req) {
        this.front = front;
        this.gw = front.gw;
        this.loop = front.client.eventLoop();
        this.req = req;
        this.upgrade = req.upgrade;
        this.uri = req.target;
        this.host = req.host;
        this.keepAlive = req.keepAlive;
    }

    boolean requestDone() {
        return ended;
    }

    /** An idempotent method whose whole request (no body, nor a chunked one's trailers) is still at hand can be sent again. */
    boolean resendable() {
        return IDEMPOTENT.contains(req.method) && ended && bodyBytes == 0 && !req.chunked && !upgrade;
    }

    // ---- the request ------------------------------------------------------------------------

    void start() {
        if (req.refusal != null) ended = true;
        Reply refused = refusal();
        if (refused != null) {
            reply(refused);
            return;
        }
        String canonical = Paths.normalise(uri);
        if (canonical == null) {
            reply(new Reply(400, "the path '" + Reply.abbreviate(uri) + "' climbs above the root", null, false));
            return;
        }
        uri = canonical;
        Router.Match match = gw.route(host, uri);
        Backend b = match == null ? null : gw.backend(match.service());
        if (b == null) {
            if (!startApp()) reply(Reply.noService(match, uri));
            return;
        }
        Backend.Refusal refusal = b.refuses(req.value(Head.AUTHORIZATION), req.value(Head.COOKIE));
        if (refusal != null) {
            reply(new Reply(refusal.status(), refusal.reason(), null, false));
            return;
        }
        guarded = b.guarded();
        service = match.service();
        Route route = Gateway.routeOf(b);
        maxBody = route.maxBody();
        if (req.contentLength > maxBody) {
            reply(Reply.bodyOver(req.contentLength, maxBody));
            return;
        }
        ServiceCall call = new ServiceCall(this, service, b, route);
        forwardTarget = route.strip() ? match.path() : uri;
        phase = call;
        call.begin();
    }

    /** Why the request is answered by the gateway before routing (malformed, no Host, not a path), or null. */
    private Reply refusal() {
        if (req.refusal != null) return req.refusal;
        if (host == null && !req.http10) return new Reply(400, "an HTTP/1.1 request needs a Host header", null, true);
        if (!uri.startsWith("/")) {
            return new Reply(400, "the request target must be a path starting with /, not '" + Reply.abbreviate(uri) + "'", null, true);
        }
        return null;
    }

    /** The request head as the instance at {@code hostAndPort} gets it. */
    io.netty.buffer.ByteBuf headForInstance(String hostAndPort) {
        return Heads.forInstance(Gateway.ALLOCATOR, req, forwardTarget, hostAndPort, front.clientAddress(), gw.settings.tls() != null, guarded);
    }

    /** {@code /<app>/<event>} for a running app: true when this exchange became an app call (or was refused as one). */
    private boolean startApp() {
        String path = AppDoor.path(uri);
        String name = AppDoor.app(path);
        var app = gw.app(name);
        if (app.isEmpty()) return false;
        service = name;
        switch (AppDoor.open(req, path, name)) {
            case AppDoor.Refused r -> reply(r.reply());
            case AppDoor.Event e -> phase = new AppCall(this, app.get(), e, front.client, keepAlive);
        }
        return true;
    }

    void requestContent(Body content) {
        bodyBytes += content.payload();
        boolean last = content.last();
        if (last) ended = true;
        if (bodyBytes > maxBody) {
            content.release();
            if (canReply()) reply(Reply.bodyOver(maxBody));
            else front.client.close();
            return;
        }
        switch (phase) {
            case ServiceCall s -> s.content(content, last);
            case AppCall a -> {
                if (!a.content(content, last)) reply(Reply.eventOver());
            }
            case Phase.Routing r -> content.release();
            case Phase.Done d -> content.release();
        }
    }

    /** Whether to read more from the client (see {@link ServiceCall#wantsClientData}). */
    boolean wantsClientData() {
        return switch (phase) {
            case ServiceCall s -> s.wantsClientData();
            case AppCall a -> true;
            case Phase.Routing r -> true;
            case Phase.Done d -> true;
        };
    }

    void flushUpstream() {
        if (phase instanceof ServiceCall s) s.flushUpstream();
    }

    void clientWritable(boolean writable) {
        if (writable && phase instanceof ServiceCall s) s.clientWritable();
    }

    // ---- the response --------------------------------------------------------------------------

    /** An instance's final head is going to the client: how it is relayed, which decides whether the connection stays open. */
    Heads.ForClient answering(ResponseHead r) {
        Heads.ForClient c = Heads.forClient(r, req, ended, keepAlive);
        keepAlive = c.keepAlive();
        return c;
    }

    /** The rest of the client's request could not be read: answered with {@code r} if nothing was, else the connection is cut. */
    void malformedBody(Reply r) {
        ended = true;
        keepAlive = false;
        if (canReply()) reply(r);
        else front.client.close();
    }

    void responded(int status, long bytes) {
        finish(status, bytes);
        front.ended(this, keepAlive);
    }

    /** Both connections became byte relays: the client connection is no longer this gateway's HTTP. */
    void switched() {
        finish(101, 0);
    }

    /** The instance's connection failed after part of the response went out: the client sees its connection end. */
    void cut(int status, long bytes) {
        finish(status, bytes);
        front.client.close();
    }

    void appEnded(int code, long bytes) {
        responded(code, bytes);
    }

    void appFailed(int code, String reason) {
        reply(new Reply(code, reason, code == 503 ? "1" : null, false));
    }

    void clientGone() {
        if (phase instanceof ServiceCall s) s.clientGone();
        else finish(499, 0);
    }

    /** Whether the gateway may still answer itself: the exchange is not over and no response head went out. */
    private boolean canReply() {
        return switch (phase) {
            case ServiceCall s -> !s.answered();
            case AppCall a -> true;
            case Phase.Routing r -> true;
            case Phase.Done d -> false;
        };
    }

    /** The gateway's own answer; closes the connection when asked or when the request body was not read. */
    void reply(Reply r) {
        if (r.close() || !ended) keepAlive = false;
        io.netty.buffer.ByteBuf res = r.response(front.client.alloc(), !keepAlive);
        long bytes = r.bodyLength();
        front.client.write(res);
        front.client.flush();
        finish(r.status(), bytes);
        front.ended(this, keepAlive);
    }

    /** Once: the call ends (giving back what it held) and the request is reported. */
    void finish(int code, long bytes) {
        String instance = switch (phase) {
            case ServiceCall s -> s.end();
            case AppCall a -> {
                a.finished();
                yield "";
            }
            case Phase.Routing r -> "";
            case Phase.Done d -> null;
        };
        if (instance == null) return;
        if (ColdTrace.ON && phase instanceof ServiceCall s && s.wasHeld()) ColdTrace.mark("answered " + code);
        phase = Phase.DONE;
        gw.observer.served(new Gateway.Served(service, front.clientAddress(), req.method, uri, front.protocol, code,
                System.nanoTime() - t0, bytes, instance));
    }
}
