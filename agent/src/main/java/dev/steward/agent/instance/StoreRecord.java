package dev.steward.agent.instance;

/** Keeps the instance's record in the store (through the one writer), so that a restarted agent adopts it. */
final class StoreRecord implements InstanceHook {
    @Override
    public void running(InstanceRunner i) {
        if (!i.handle().adopted()) save(i); // an adopted one's record is already there, as it is
    }

    @Override
    public void paused(InstanceRunner i, boolean paused) {
        save(i);
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
