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
        try {
            if (take) {
                backend.use();
                took = true;
            } else if (!Gateway.referencedByRequests(backend)) {
                backend.wake();
            }
            ready = backend.awaitReady(gw.settings.hold());
        } finally {
            gw.unhold(service);
            Optional<Endpoint> r = ready;
            boolean reference = took;
            call.x.loop.execute(() -> call.resume(r, reference));
        }
    }
}
