package dev.steward.agent.service;

import dev.steward.agent.health.PingLoop;
import dev.steward.agent.health.PingPolicy;
import dev.steward.agent.health.Vitals;
import dev.steward.agent.instance.Context;
import dev.steward.agent.instance.InstanceEvent;
import dev.steward.agent.traffic.Endpoint;
import dev.steward.model.InstanceState;
import dev.steward.model.ServiceState;
import dev.steward.model.Spec;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The endpoint of a ping-only service: not run, only pinged, and routed while its pings pass. Touched
 * only on the service's runner; its ping loop reports through the runner's inbox.
 */
final class ExternalEndpoint {
    static final String ID = "endpoint";
    private final Spec spec;
    private PingLoop loop;
    private Vitals vitals = Vitals.START;
    private boolean removed;
    /** The generation of the last loop started: one more for each, counted on from the endpoint this one replaced. */
    private long loops;

    /** The endpoint of {@code spec}, its loops numbered after the {@code before} loops of the endpoints it follows. */
    ExternalEndpoint(Spec spec, long before) {
        this.spec = spec;
        this.loops = before;
    }

    /** The loops started so far, those of the endpoints it follows included. */
    long loops() {
        return loops;
    }

    /**
     * Pinged and routed while {@code on} (the service started), neither while off (stopped: the loop ended, what its
     * pings said forgotten, no instance shown); a result of an earlier loop that comes after is ignored.
     */
    void turn(boolean on, Context ctx, Consumer<InstanceEvent> out) {
        if (on && loop == null && !removed) {
            long generation = ++loops;
            String host = spec.pingOnly().getHost();
            int port = spec.pingOnly().getPort();
            Map<String, String> env = Map.of("PORT", Integer.toString(port), "STEWARD_SERVICE", spec.name(), "STEWARD_INSTANCE", ID);
            loop = PingLoop.start(spec.name(), () -> {
                var r = ctx.pinger().check(spec.ping().check(), host, port, spec.ping().timeout(), ctx.dataDir(), env);
                ctx.pingListener().accept(spec.name(), r);
                return r;
            }, spec.ping().interval(), false, r -> out.accept(new InstanceEvent.Pinged(ID, generation, r)));
        } else if (!on && loop != null) {
            end();
        }
    }

    void pinged(InstanceEvent.Pinged p) {
        if (removed || loop == null || p.generation() != loops) return;
        Vitals v = PingPolicy.apply(spec.ping(), vitals, p.result());
        // an endpoint that turned unhealthy is out of rotation until it passes again
        if (v.unhealthy()) v = new Vitals(false, v.health(), v.passes(), v.fails(), v.lastPing());
        vitals = v;
        loop.ready(v.ready());
    }

    void remove() {
        removed = true;
        if (loop != null) end();
    }

    private void end() {
        loop.cancel();
        loop = null;
        vitals = Vitals.START;
    }

    ServiceState state() {
        return removed || loop == null ? ServiceState.STOPPED : vitals.ready() ? ServiceState.AVAILABLE : ServiceState.WAITING;
    }

    Vitals vitals() {
        return vitals;
    }

    List<Endpoint> ready() {
        return vitals.ready() && loop != null ? List.of(new Endpoint(ID, spec.pingOnly().getHost(), spec.pingOnly().getPort())) : List.of();
    }

    List<Snapshot.Instance> instances() {
        if (loop == null) return List.of();
        return List.of(new Snapshot.Instance(ID, InstanceState.RUNNING, vitals.health(), vitals.ready(), 0,
                spec.pingOnly().getPort(), null, 0, "", vitals.lastPing(), null, null));
    }
}
