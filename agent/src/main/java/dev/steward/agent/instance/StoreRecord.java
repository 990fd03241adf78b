package dev.steward.agent.instance;

/**
 * Keeps the instance's record in the store (through the one writer), so that a restarted agent adopts it
 * and, in a cluster, other nodes' gateways know where it is and whether it takes requests: written again
 * when it becomes ready or no longer is, and when it is asked to stop (it takes no new requests then).
 */
final class StoreRecord implements InstanceHook {
    @Override
    public void running(InstanceRunner i) {
        if (!i.handle().adopted()) save(i); // an adopted one's record is already there, as it is
    }

    @Override
    public void ready(InstanceRunner i) {
        save(i);
    }

    @Override
    public void paused(InstanceRunner i, boolean paused) {
        save(i);
    }

    @Override
    public java.util.concurrent.CompletableFuture<Void> stopping(InstanceRunner i) {
        if (i.port() > 0) save(i); // others stop sending to it before it drains
        return DONE;
    }

    @Override
    public void removed(InstanceRunner i) {
        Context ctx = i.context();
        String service = i.service();
        String id = i.id();
        ctx.writes().execute(() -> ctx.repo().removeInstance(service, id));
    }

    private static void save(InstanceRunner i) {
        if (i.handle() == null) return;
        Context ctx = i.context();
        var r = i.record();
        ctx.writes().execute(() -> ctx.repo().save(r));
    }
}
