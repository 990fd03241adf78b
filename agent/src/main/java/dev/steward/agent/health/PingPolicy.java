package dev.steward.agent.health;

import dev.steward.model.Health;
import dev.steward.model.Ping;

/** How ping results move an instance from waiting to healthy, and from healthy to unhealthy: pure. */
public final class PingPolicy {
    private PingPolicy() {}

    public static Vitals apply(Ping ping, Vitals v, PingResult r) {
        String last = r.message() + " (" + r.latency().toMillis() + "ms)";
        if (r.passed()) {
            int passes = v.passes() + 1;
            boolean ready = v.ready() || passes >= ping.successes();
            Health health = passes >= ping.successes() ? Health.HEALTHY : v.health();
            return new Vitals(ready, health, passes, 0, last);
        }
        int fails = v.fails() + 1;
        // Before its first pass an instance is still starting: waiting, not unhealthy.
        Health health = v.ready() && fails >= ping.failures() ? Health.UNHEALTHY : v.health();
        return new Vitals(v.ready(), health, 0, fails, last);
    }
}
