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

    /** Instances that count towards the wanted number. */
    int live();

    /** What the autoscaler last asked for. */
    int scaled();

    /** The autoscaler's count for a dynamic service. */
    void scaleTo(int n);
}
