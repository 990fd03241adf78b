package dev.steward.agent.instance;

import dev.steward.agent.health.PingLoop;
import dev.steward.agent.health.PingResult;
import dev.steward.agent.health.Vitals;
import dev.steward.model.Spec;
import java.nio.file.Path;
import java.util.Map;

/** Pings a running instance (from its own virtual thread), or counts it ready at once when its spec has no ping. */
final class HealthChecks implements InstanceHook {
    @Override
    public void running(InstanceRunner i) {
        Spec spec = i.spec();
        if (spec.ping() == null) {
            i.vitals(Vitals.UNCHECKED);
            return;
        }
        cancel(i);
        long gen = i.generation();
        Context ctx = i.context();
        Map<String, String> env = Map.of("PORT", Integer.toString(i.port()), "STEWARD_HOST", ctx.ports().host(), "STEWARD_SERVICE", spec.name(),
                "STEWARD_INSTANCE", i.id());
        Path[] dir = new Path[1];
        PingLoop.Check check = () -> {
            if (dir[0] == null) dir[0] = ctx.workDir(spec);
            PingResult r = ctx.pinger().check(spec.ping().check(), ctx.ports().host(), i.port(), spec.ping().timeout(), dir[0], env,
                    !i.vitals().ready());
            ctx.pingListener().accept(spec.name(), r);
            return r;
        };
        // a pass that makes the instance ready by itself is told at once to the requests held for the service
        boolean tell = spec.ping().successes() <= 1 && !i.vitals().ready() && i.port() > 0;
        boolean[] told = {false};
        int port = i.port();
        PingLoop[] loop = new PingLoop[1];
        i.pings = loop[0] = PingLoop.start(spec.name() + "-" + i.id(), check, spec.ping().interval(), i.vitals().ready(), r -> {
            if (tell && !told[0] && r.passed()) {
                told[0] = true;
                // ready from now: the next ping waits the interval, not a starting instance's millisecond, and does not
                // reach the program beside the requests just sent to it (the runner says so too, a moment later)
                if (loop[0] != null) loop[0].ready(true);
                ctx.readiness().passed(spec.name(), new dev.steward.agent.traffic.Endpoint(i.id(), ctx.ports().host(), port));
            }
            i.post(new InstanceEvent.Pinged(i.id(), gen, r));
        });
        i.pings.paused(i.state() == dev.steward.model.InstanceState.PAUSED);
    }

    @Override
    public void paused(InstanceRunner i, boolean paused) {
        if (i.pings != null) i.pings.paused(paused);
    }

    @Override
    public java.util.concurrent.CompletableFuture<Void> stopping(InstanceRunner i) {
        cancel(i);
        return DONE;
    }

    @Override
    public void exited(InstanceRunner i) {
        cancel(i);
    }

    @Override
    public void removed(InstanceRunner i) {
        cancel(i);
    }

    private static void cancel(InstanceRunner i) {
        if (i.pings != null) i.pings.cancel();
        i.pings = null;
    }
}
