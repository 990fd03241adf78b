package dev.steward.agent.supervisor;

import dev.steward.model.Spec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * Pings one instance on a virtual thread: quickly (from 2 ms, doubling to 10 ms) until its first
 * pass so that readiness is seen at once, then every {@code interval}. Ends when the instance's
 * generation moves on.
 */
final class PingLoop {
    private static final Duration FIRST = Duration.ofMillis(2);
    /** Until the first pass, pings come at least this often, so readiness is seen within about this much. */
    private static final Duration STARTING_CAP = Duration.ofMillis(10);
    private final Context ctx;
    private final ServiceController owner;

    PingLoop(Context ctx, ServiceController owner) {
        this.ctx = ctx;
        this.owner = owner;
    }

    void start(Instance inst, long gen, Spec spec) {
        String host = spec.isPingOnly() ? spec.pingOnly().getHost() : "127.0.0.1";
        int port = spec.isPingOnly() ? spec.pingOnly().getPort() : inst.port;
        Path dir = ctx.workDir(spec);
        Map<String, String> env = Map.of("PORT", Integer.toString(port), "STEWARD_SERVICE", spec.name(), "STEWARD_INSTANCE", inst.id);
        Thread.ofVirtual().name("ping-" + spec.name() + "-" + inst.id).start(() -> run(inst, gen, spec, host, port, dir, env));
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) < 0 ? a : b;
    }

    private void run(Instance inst, long gen, Spec spec, String host, int port, Path dir, Map<String, String> env) {
        Duration fast = FIRST;
        Duration interval = spec.ping().interval();
        try {
            while (true) {
                Boolean go = owner.pingable(inst, gen);
                if (go == null) return;
                if (!go) {
                    Thread.sleep(interval);
                    continue;
                }
                PingResult r = ctx.pinger().check(spec.ping().check(), host, port, spec.ping().timeout(), dir, env);
                ctx.pingListener().accept(spec.name(), r);
                if (!owner.pinged(inst, gen, r)) return;
                Duration wait = inst.ready ? interval : min(fast, min(STARTING_CAP, interval));
                fast = fast.multipliedBy(2);
                Thread.sleep(wait);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
