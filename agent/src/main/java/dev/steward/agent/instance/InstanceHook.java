package dev.steward.agent.instance;

import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * One concern of an instance's life (environment and ports, store record, draining, health), in the
 * manner of a task runner's hooks. Every method but {@link #prestart} runs on the service's runner
 * and must not block: what takes time is started elsewhere and reports back as an event.
 */
public interface InstanceHook {
    CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

    /** Before a spawn, on the spawning thread: adds to the instance's environment. */
    default void prestart(InstanceRunner i, Map<String, String> env) {}

    /** The instance runs: spawned, or adopted after an agent restart. */
    default void running(InstanceRunner i) {}

    /** Became ready, or no longer is. */
    default void ready(InstanceRunner i) {}

    /** Paused or resumed. */
    default void paused(InstanceRunner i, boolean paused) {}

    /** Asked to stop: what must finish before it is told to (draining its requests). */
    default CompletableFuture<Void> stopping(InstanceRunner i) {
        return DONE;
    }

    /** Its process ended, whatever the cause. */
    default void exited(InstanceRunner i) {}

    /** The instance is gone for good (its slot is forgotten). */
    default void removed(InstanceRunner i) {}
}
