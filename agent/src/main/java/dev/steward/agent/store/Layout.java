package dev.steward.agent.store;

import java.util.List;
import java.util.Objects;

/**
 * Where the etcd store keeps a key: everything under {@code root}; keys under one of the local
 * prefixes (what belongs to this machine: instance records, running apps, the runlist, the audit log, jobs,
 * the protocol services its locator serves, what its lingers and autoscaler want)
 * under {@code local/NODE/}, every other key (specs, apps, profiles, tokens, nodes) shared as it is.
 */
public record Layout(String root, String node, List<String> localPrefixes) {
    /** What a node keeps to itself. */
    public static final List<String> LOCAL = List.of("instances/", "engine/", "runlist/", "audit/", "jobs/", "locator/", "wants/");

    public Layout {
        Objects.requireNonNull(node, "node");
        if (root == null || !root.startsWith("/") || !root.endsWith("/")) throw new IllegalArgumentException("root: " + root + " (expected: /.../)");
        localPrefixes = List.copyOf(localPrefixes);
    }

    public static Layout of(String node) {
        return new Layout("/steward/", node, LOCAL);
    }

    String local() {
        return "local/" + node + "/";
    }

    /** The raw key (under the root) of a store key. */
    public String raw(String key) {
        for (String p : localPrefixes) {
            if (key.startsWith(p)) return local() + key;
        }
        return key;
    }

    /** The store key of a raw key, or null for another node's local key. */
    String logical(String rawKey) {
        if (rawKey.startsWith(local())) return rawKey.substring(local().length());
        return rawKey.startsWith("local/") ? null : rawKey;
    }
}
