package dev.steward.agent.gateway;

import dev.steward.agent.traffic.Backend;
import dev.steward.agent.traffic.Endpoint;
import java.util.Optional;

/**
 * A request held until its service has an instance ready, waiting on a virtual thread (never on the
 * event loop) with a place in the service's hold queue taken. The thread takes the request's reference
 * (or wakes a dynamic service), so that starting an instance never runs on an event loop; it gives the
 * place back and hands what it found, and the reference it took, to the call on the call's loop.
 *
 * <p>In a cluster the instance may start on any node: the scheduler is asked for one, and the wait ends
 * when one is ready here or elsewhere.
 *
 * @param take whether to take a reference for the request (none when the call holds one already, after a failed
 *             connection); a service that references do not keep up is woken instead
 */
record Hold(ServiceCall call, Gateway gw, Backend backend, String service, boolean take) implements Runnable {
    void start() {
        Thread.ofVirtual().name("steward-hold-" + service).start(this);
    }

    @Override
    public void run() {
        Optional<Endpoint> ready = Optional.empty();
        boolean took = false;
        dev.steward.agent.ColdTrace.mark("hold thread running");
        try {
            if (take) {
                backend.use();
                took = true;
            } else if (!Gateway.referencedByRequests(backend)) {
                backend.wake();
            }
            ready = gw.reach.ask(service) ? awaitAnywhere() : backend.awaitReady(gw.settings.hold());
        } finally {
            dev.steward.agent.ColdTrace.mark("hold woke: " + (ready.isPresent() ? "ready" : "none ready"));
            gw.unhold(service);
            Optional<Endpoint> r = ready;
            boolean reference = took;
            call.x.loop.execute(() -> call.resume(r, reference));
        }
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
