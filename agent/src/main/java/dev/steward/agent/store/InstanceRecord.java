package dev.steward.agent.store;

import java.util.Objects;

/**
 * A running instance as stored, so that a restarted agent can adopt it: pid and start time name the
 * process; {@code paused} says it was frozen by hand and stays so.
 */
public record InstanceRecord(String id, String service, long pid, long startTicks, int port, long started, int restarts, String log,
                             boolean paused) {
    public InstanceRecord {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(service, "service");
    }
}
