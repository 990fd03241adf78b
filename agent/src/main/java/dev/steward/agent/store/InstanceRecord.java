package dev.steward.agent.store;

import java.util.Objects;

/**
 * A running instance as stored, so that a restarted agent can adopt it: pid and start time name the
 * process; {@code paused} says it was frozen by hand and stays so. In a cluster other nodes read it too:
 * {@code host} and {@code port} say where it is reached, {@code ready} whether it takes requests now.
 */
public record InstanceRecord(String id, String service, long pid, long startTicks, int port, long started, int restarts, String log,
                             boolean paused, String host, boolean ready) {
    public InstanceRecord {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(service, "service");
    }
}
