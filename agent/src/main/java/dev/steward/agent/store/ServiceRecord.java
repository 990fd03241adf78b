package dev.steward.agent.store;

import java.util.Objects;

/**
 * A registered service as stored: its spec source (JSON), whether it was started or stopped by hand
 * (and with how many instances), whether it is a custom one, who registered it when, and in a
 * {@code node}: the node a service was registered through under the cluster's first step, before
 * the scheduler placed services (no longer written; null).
 */
public record ServiceRecord(String name, String spec, boolean enabled, String uuid, String owner, long created, long updated,
                            Integer count, boolean custom, String node) {
    public ServiceRecord(String name, String spec, boolean enabled, String uuid, String owner, long created, long updated) {
        this(name, spec, enabled, uuid, owner, created, updated, null, false, null);
    }

    public ServiceRecord {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(uuid, "uuid");
        owner = owner == null ? "" : owner;
    }

    public ServiceRecord withEnabled(boolean on, long now) {
        return new ServiceRecord(name, spec, on, uuid, owner, created, now, count, custom, node);
    }

    public ServiceRecord withSpec(String newSpec, long now) {
        return new ServiceRecord(name, newSpec, enabled, uuid, owner, created, now, count, custom, node);
    }

    /** The count given by {@code service start --instances N}, or null: the spec's count rules. */
    public ServiceRecord withCount(Integer n, long now) {
        return new ServiceRecord(name, spec, enabled, uuid, owner, created, now, n, custom, node);
    }

    /** A custom service ({@code service run}): kept only while it runs, so that a restarted agent still knows it. */
    public ServiceRecord asCustom() {
        return new ServiceRecord(name, spec, enabled, uuid, owner, created, updated, count, true, node);
    }
}
