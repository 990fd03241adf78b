package dev.steward.agent.gateway;

import dev.steward.agent.traffic.Backend;
import dev.steward.agent.traffic.Endpoint;
import java.util.Optional;

/**
 * A request held until its service has an instance ready, with a place in the service's hold queue taken.
 * It ends the first of two ways: the first passed ping of a starting instance, told from the ping's thread
 * (see {@link dev.steward.agent.traffic.Readiness}), or a ready instance the service's runner published, waited
 * for on a virtual thread (never on the event loop), which also tells of none ready when the wait is over.
 * Whichever comes first gives the place back and hands what it found to the call on the call's loop; the
 * other finds it ended. The call took the request's reference (or woke a dynamic service) before.
 *
 * <p>In a cluster the instance may start on any node: the scheduler is asked for one, and the wait ends
 * when one is ready here or elsewhere.
 */
final class Hold implements Runnable, dev.steward.agent.traffic.Readiness.Waiter {
    private final ServiceCall call;
    private final Gateway gw;
    private final Backend backend;
    private final String service;
    private final java.util.concurrent.atomic.AtomicBoolean ended = new java.util.concurrent.atomic.AtomicBoolean();

    Hold(ServiceCall call, Gateway gw, Backend backend, String service) {
        this.call = call;
        this.gw = gw;
        this.backend = backend;
        this.service = service;
    }

    /** Listens for the first passed ping: before the start is asked, so that none is missed. */
    Hold listen() {
        backend.awaitPassed(this);
        return this;
    }

    /** Waits on a virtual thread for the runner's readiness (and the time's end). */
    void start() {
        Thread.ofVirtual().name("steward-hold-" + service).start(this);
    }

    @Override
    public void passed(Endpoint e) {
        dev.steward.agent.ColdTrace.mark("ping passed, told to the held request");
        end(Optional.of(e));
    }

    @Override
    public void run() {
        Optional<Endpoint> ready = Optional.empty();
        dev.steward.agent.ColdTrace.mark("hold thread running");
        try {
            ready = gw.reach.ask(service) ? awaitAnywhere() : backend.awaitReady(gw.settings.hold());
        } finally {
            if (!ended.get()) dev.steward.agent.ColdTrace.mark("hold woke: " + (ready.isPresent() ? "ready" : "none ready"));
            end(ready);
        }
    }

    /** The first of the two ends: the place given back, and what was found handed to the call on its loop. */
    private void end(Optional<Endpoint> ready) {
        if (!ended.compareAndSet(false, true)) return;
        backend.leavePassed(this);
        gw.unhold(service);
        dev.steward.agent.net.Loops.post(call.x.loop, () -> call.resume(ready));
    }

    /** Waits for a ready instance on any node, asking again now and then (an ask refused for want of room may fit later). */
    private Optional<Endpoint> awaitAnywhere() {
        long deadline = System.nanoTime() + gw.settings.hold().toNanos();
        long askAgain = System.nanoTime() + ASK_AGAIN_NANOS;
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) return Optional.empty();
            long slice = Math.min(left, SLICE_NANOS);
            long before = System.nanoTime();
            Optional<Endpoint> here = backend.awaitReady(java.time.Duration.ofNanos(slice));
            if (here.isPresent()) return here;
            if (!rest(slice - (System.nanoTime() - before))) return Optional.empty(); // it answered early: removed or disabled here
            java.util.List<Endpoint> there = gw.reach.elsewhere(service);
            if (!there.isEmpty()) return Optional.of(there.get(0));
            if (System.nanoTime() > askAgain) {
                gw.reach.ask(service);
                askAgain = System.nanoTime() + ASK_AGAIN_NANOS;
            }
        }
    }

    /** Sleeps what is left of a slice; false when interrupted. */
    private static boolean rest(long nanos) {
        if (nanos <= 0) return true;
        try {
            Thread.sleep(java.time.Duration.ofNanos(nanos));
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static final long SLICE_NANOS = 50_000_000L;
    private static final long ASK_AGAIN_NANOS = 2_000_000_000L;
}
