package dev.steward.agent.instance;

import java.util.concurrent.CompletableFuture;

/** A stopping instance is out of rotation at once; it is told to stop once its requests in flight have finished. */
final class Draining implements InstanceHook {
    @Override
    public CompletableFuture<Void> stopping(InstanceRunner i) {
        Context ctx = i.context();
        return ctx.inFlight().drain(i.id(), ctx.stopGrace()).thenApply(drained -> null);
    }
}
