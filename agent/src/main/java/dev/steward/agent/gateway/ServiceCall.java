package dev.steward.agent.gateway;

import dev.steward.agent.scale.Demand;
import dev.steward.agent.traffic.Backend;
import dev.steward.agent.traffic.Endpoint;
import dev.steward.model.PolicyKind;
import dev.steward.model.Route;
import java.util.ArrayDeque;
import java.util.Optional;

/**
 * An exchange routed to a service, on its way to an instance and back (its {@link Phase.Stage}s). Picks
 * a ready instance (see {@link Balancer}); holds the request, off the event loop and in a bounded queue,
 * while none is ready and the service starts on demand; connects, and relays (see {@link Forwarding}).
 * The request body waits here, with reading stopped, while no connection exists yet.
 *
 * <p>A failed attempt of which nothing went to the client gets one more. A request that can be sent
 * again (idempotent, no body) goes to another instance, or again to the same one when its kept-alive
 * connection had been closed. A request whose connection could not be made at all (so nothing of it was
 * sent) to a service that starts on demand is held as at scale from zero, so that no request is lost
 * while an instance is replaced; it then goes to a ready instance, another than the one that failed when
 * there is one. Otherwise 502.
 *
 * <p>What the request takes from the service is given back when the exchange ends: a reference (on-demand
 * and lingering services run while referenced), its share of the demand (dynamic services), its count in
 * flight at one instance. Confined to the exchange's event loop but for the waiting thread.
 */
final class ServiceCall implements Phase {
    final Exchange x;
    private final Gateway gw;
    private final String service;
    private final Backend backend;
    private final Route route;
    /** A dynamic service's demand (only the autoscaler reads it), begun when routed; null for other services. */
    private final Demand.Meter meter;
    private boolean referenced;
    /** Whether the request was held while the service started (for {@link dev.steward.agent.ColdTrace}). */
    private boolean heldOnce;
    /** Body pieces that came while no connection existed yet; made when first needed. */
    private ArrayDeque<Body> buffered;
    private Stage stage = Phase.PICKING;
    /** The instance a new connection is being opened to with a place of {@link Opening} taken, or null. */
    private String opening;
    /** When that place is given back even with no answer yet. */
    private io.netty.util.concurrent.Future<?> openingExpiry;

    ServiceCall(Exchange x, String service, Backend backend, Route route) {
        this.x = x;
        this.gw = x.gw;
        this.service = service;
        this.backend = backend;
        this.route = route;
        this.meter = backend.spec().policy() == PolicyKind.DYNAMIC ? gw.demand.of(service) : null;
        if (meter != null) meter.begin();
    }

    Route route() {
        return route;
    }

    boolean wasHeld() {
        return heldOnce;
    }

    /** Picks a ready instance and connects to it, or holds the request while the service starts, or answers 503. */
    void begin() {
        Endpoint e = gw.pick(backend, route, null);
        if (e != null) {
            if (Gateway.referencedByRequests(backend)) {
                backend.use(); // cheap while others use it too; keeps it up until this response ends
                referenced = true;
            }
            connect(e, 1);
        } else if (!Gateway.startsOnDemand(backend)) {
            x.reply(Reply.noInstance(service, backend.state()));
        } else if (gw.hold(service)) {
            hold(1, null);
        } else {
            x.reply(Reply.holdFull(service, gw.settings.maxHeld()));
        }
    }

    /**
     * Waits (see {@link Hold}), with a place in the service's hold queue taken, until an instance is ready. The
     * request's reference is taken here (a dynamic service woken instead), so the service starts at once.
     *
     * @param avoid the instance a connection could not be made to, or null
     */
    private void hold(int attempt, String avoid) {
        heldOnce = true;
        dev.steward.agent.ColdTrace.begin("request held: " + service, x.t0);
        stage = new Held(attempt, avoid);
        x.front.updateReading();
        Hold h = new Hold(this, gw, backend, service).listen();
        // posted to the service's runner, which starts an instance at once (no wait here: safe on the event loop)
        if (Gateway.referencedByRequests(backend)) {
            if (!referenced) { // after a failed connection it holds one already
                backend.use();
                referenced = true;
            }
        } else {
            backend.wake();
        }
        h.start();
    }

    /** Back from {@link Hold} on the event loop: connects, or answers 503 when no instance became ready. */
    void resume(Optional<Endpoint> ready) {
        if (!(stage instanceof Held held)) return; // the client went away meanwhile (its reference was given back then)
        dev.steward.agent.ColdTrace.mark("resumed on the event loop");
        if (ready.isEmpty()) {
            x.reply(Reply.notReady(service, gw.settings.hold()));
            return;
        }
        Endpoint e = gw.pick(backend, route, held.avoid());
        connect(e != null ? e : ready.get(), held.attempt());
    }

    private void connect(Endpoint e, int attempt) {
        gw.inFlight.begin(e.instance());
        stage = new Connecting(e, attempt);
        Upstream idle = gw.pool().idle(e);
        if (idle != null) {
            attached(idle, true);
        } else if (gw.opening.take(e.instance(), route.maxConnecting(), this)) {
            open(e);
        } else {
            stage = new Queued(e, attempt);
            x.front.updateReading();
        }
    }

    /** Opens a new connection to {@code e}, a place of {@link Opening} taken for it. */
    private void open(Endpoint e) {
        opening = e.instance();
        openingExpiry = x.loop.schedule(this::opened, Opening.COUNTS_FOR_NANOS, java.util.concurrent.TimeUnit.NANOSECONDS);
        gw.pool().open(x.loop, e, this);
    }

    /** The connection being opened no longer counts (the instance answered on it, it failed, or its time passed). */
    void opened() {
        String instance = opening;
        if (instance == null) return;
        opening = null;
        openingExpiry.cancel(false);
        openingExpiry = null;
        gw.opening.release(instance);
    }

    /** Handed a place of {@link Opening} for {@code instance}, on this loop: an idle connection is taken if one came meanwhile. */
    void admitted(String instance) {
        if (!(stage instanceof Queued q)) { // the client went away while waiting: the place goes on
            gw.opening.release(instance);
            return;
        }
        stage = new Connecting(q.endpoint(), q.attempt());
        Upstream idle = gw.pool().idle(q.endpoint());
        if (idle != null) {
            gw.opening.release(instance);
            attached(idle, true);
        } else {
            open(q.endpoint());
        }
    }

    /** A connection to the instance, from the pool ({@code reused}) or new: the request goes out, with what waited. */
    void attached(Upstream u, boolean reused) {
        if (!(stage instanceof Connecting c)) { // the client went away while connecting
            if (reused) u.release();
            else u.channel().close();
            return;
        }
        Forwarding f = new Forwarding(this, u, c.endpoint(), c.attempt(), reused);
        stage = f;
        f.send(buffered);
        x.front.updateReading();
    }

    /** A piece of the request body: forwarded, or kept until there is a connection. */
    void content(Body piece, boolean last) {
        switch (stage) {
            case Forwarding f -> {
                if (!f.forward(piece, last)) x.front.updateReading();
            }
            case Held h -> buffer(piece);
            case Connecting c -> buffer(piece);
            case Queued q -> buffer(piece);
            case Picking p -> piece.release();
            case Over o -> piece.release();
        }
    }

    private void buffer(Body piece) {
        if (buffered == null) buffered = new ArrayDeque<>();
        buffered.add(piece);
        x.front.updateReading();
    }

    /** Whether to read more from the client: not while held or connecting, nor while the instance cannot take more. */
    boolean wantsClientData() {
        return switch (stage) {
            case Held h -> x.requestDone() && nothingBuffered();
            case Connecting c -> x.requestDone() && nothingBuffered();
            case Queued q -> x.requestDone() && nothingBuffered();
            case Forwarding f -> x.requestDone() || f.writable();
            case Picking p -> true;
            case Over o -> true;
        };
    }

    private boolean nothingBuffered() {
        return buffered == null || buffered.isEmpty();
    }

    void flushUpstream() {
        if (stage instanceof Forwarding f) f.flush();
    }

    void clientWritable() {
        if (stage instanceof Forwarding f) f.clientWritable();
    }

    /** Whether the instance's response head went to the client: the gateway can no longer answer itself. */
    boolean answered() {
        return stage instanceof Forwarding f && f.answered();
    }

    /** The client left: a response under way is reported with its status, anything else as 499. */
    void clientGone() {
        if (stage instanceof Forwarding f && f.response() instanceof Phase.Streaming s) x.finish(s.status(), f.bytes());
        else x.finish(499, 0);
    }

    // ---- failures ------------------------------------------------------------------------------

    /** No connection to the instance could be made: nothing was sent. */
    void connectFailed(Throwable cause) {
        opened();
        if (stage instanceof Connecting c) failed(c.endpoint(), c.attempt(), false, cause, true);
    }

    /** The connection to the instance failed or closed before the response ended. */
    void upstreamFailed(Forwarding f, Throwable cause) {
        if (stage != f) return;
        opened();
        f.drop();
        if (f.response() instanceof Phase.Streaming s) { // part of the response went out: the client sees its connection end
            x.cut(s.status(), f.bytes());
            return;
        }
        failed(f.endpoint(), f.attempt(), f.reused(), cause, false);
    }

    void timedOut(Forwarding f) {
        if (stage == f && !f.answered()) {
            x.reply(Reply.timedOut(f.endpoint().instance(), service, route.timeout()));
        }
    }

    private void failed(Endpoint e, int attempt, boolean reused, Throwable cause, boolean nothingSent) {
        if (attempt == 1 && x.resendable()) {
            Endpoint other = gw.pick(backend, route, e.instance());
            if (other == null && reused) other = e; // a kept-alive connection the instance had closed
            if (other != null) {
                gw.inFlight.end(e.instance());
                connect(other, 2);
                return;
            }
        }
        if (attempt == 1 && nothingSent && Gateway.startsOnDemand(backend) && gw.hold(service)) {
            gw.inFlight.end(e.instance());
            hold(2, e.instance());
            return;
        }
        x.reply(Reply.unreachable(e.instance(), service, cause, !x.requestDone()));
    }

    /**
     * The exchange is over: the connection dropped, what waited released, the count in flight ended, the demand
     * and the reference given back. Returns the instance that served (or was tried last), or "".
     */
    String end() {
        Endpoint counted = switch (stage) {
            case Connecting c -> c.endpoint();
            case Queued q -> {
                gw.opening.leave(q.endpoint().instance(), this); // or, handed a place meanwhile, it gives it on when that arrives
                yield q.endpoint();
            }
            case Forwarding f -> {
                f.drop();
                yield f.endpoint();
            }
            case Picking p -> null;
            case Held h -> null;
            case Over o -> null;
        };
        stage = Phase.OVER;
        opened();
        if (buffered != null) {
            buffered.forEach(Body::release);
            buffered.clear();
        }
        if (counted != null) gw.inFlight.end(counted.instance());
        if (meter != null) meter.end();
        if (referenced) backend.release();
        referenced = false;
        return counted == null ? "" : counted.instance();
    }
}
