package dev.steward.agent.traffic;

import dev.steward.model.ServiceState;
import dev.steward.model.Spec;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A service as the gateway and the autoscaler see it. Every read is of a published snapshot and
 * every change is a message to the service's runner, so an event loop may call any method but
 * {@link #awaitReady} without ever waiting for the control plane.
 */
public interface Backend {
    String name();

    Spec spec();

    /** The instances that are running, ready and not being stopped. */
    List<Endpoint> ready();

    ServiceState state();

    /** Takes a reference: on-demand and lingering services run while referenced. */
    void use();

    void release();

    /** A request came for a dynamic service with no instance: at least one, now. */
    void wake();

    /** Blocks (never on an event loop) until an instance is ready, at most {@code wait}; empty when none became ready. */
    Optional<Endpoint> awaitReady(Duration wait);

    /**
     * {@code w}, a request held for this backend, is told of the first instance whose ping passes, from the ping's
     * thread and ahead of {@link #awaitReady} (see {@link Readiness}); none is told for backends without pings of their own.
     */
    default void awaitPassed(Readiness.Waiter w) {}

    /** {@code w} no longer waits. */
    default void leavePassed(Readiness.Waiter w) {}

    /** Instances that count towards the wanted number. */
    int live();

    /** What the autoscaler last asked for. */
    int scaled();

    /** The autoscaler's count for a dynamic service. */
    void scaleTo(int n);

    /**
     * Whether a request with these credentials ({@code Authorization} and {@code Cookie} headers, either may be null)
     * may reach this backend: null when it may, else the refusal (401 or 403 and why). Called on an event loop: no I/O.
     * Services take every request; an open dynamic instance only its opener's and admins'.
     */
    default Refusal refuses(String authorization, String cookie) {
        return null;
    }

    /** Whether {@link #refuses} checks credentials, which are then taken off the request (the instance never sees a token). */
    default boolean guarded() {
        return false;
    }

    /** Why a request may not reach a backend. */
    record Refusal(int status, String reason) {}
}
