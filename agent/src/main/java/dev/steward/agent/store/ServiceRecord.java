package dev.steward.agent.store;

import java.util.Objects;

/**
 * A registered service as stored: its spec source (JSON), whether it was started or stopped by hand,
 * and who registered it when.
 */
public record ServiceRecord(String name, String spec, boolean enabled, String uuid, String owner, long created, long updated) {
    public ServiceRecord {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(uuid, "uuid");
        owner = owner == null ? "" : owner;
    }

    public ServiceRecord withEnabled(boolean on, long now) {
        return new ServiceRecord(name, spec, on, uuid, owner, created, now);
    }

    public ServiceRecord withSpec(String newSpec, long now) {
        return new ServiceRecord(name, newSpec, enabled, uuid, owner, created, now);
    }
}
