package dev.steward.agent.supervisor;

import dev.steward.model.Health;
import dev.steward.model.Ping;

/** How ping results move an instance between waiting, healthy and unhealthy: pure. */
final class PingPolicy {
    private PingPolicy() {}

    static void apply(Ping ping, Instance inst, PingResult r) {
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
            if (inst.fails >= ping.failures()) inst.health = Health.UNHEALTHY;
        }
    }
}
