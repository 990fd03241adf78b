package dev.steward.agent.health;

import dev.steward.model.Health;

/**
 * What the pings have said of one instance so far: whether it is ready (passed its first checks),
 * its health, the current runs of passes and failures, and the last result in words.
 */
public record Vitals(boolean ready, Health health, int passes, int fails, String lastPing) {
    /** A new instance: not ready, health unknown. */
    public static final Vitals START = new Vitals(false, Health.UNKNOWN, 0, 0, "");

    /** An instance without a ping: ready as soon as it runs. */
    public static final Vitals UNCHECKED = new Vitals(true, Health.UNKNOWN, 0, 0, "");

    /** An instance taken over after an agent restart: it served before, so it is routed at once; pings go on. */
    public static Vitals adopted() {
        return new Vitals(true, Health.UNKNOWN, 0, 0, "adopted; not pinged yet");
    }

    public boolean unhealthy() {
        return health == Health.UNHEALTHY;
    }
}
