package dev.steward.agent.supervisor;

import dev.steward.model.Health;
import dev.steward.model.Ping;

/** How ping results move an instance from waiting to healthy, and from healthy to unhealthy: pure. */
final class PingPolicy {
    private PingPolicy() {}

    static void apply(Ping ping, Instance inst, PingResult r) {
        inst.lastPing = r.message() + " (" + r.latency().toMillis() + "ms)";
        if (r.passed()) {
            inst.passes++;
            inst.fails = 0;
            if (inst.passes >= ping.successes()) {
                inst.ready = true;
                inst.health = Health.HEALTHY;
            }
        } else {
            inst.fails++;
            inst.passes = 0;
            // Before its first pass an instance is still starting: waiting, not unhealthy.
            if (inst.ready && inst.fails >= ping.failures()) inst.health = Health.UNHEALTHY;
        }
    }
}
