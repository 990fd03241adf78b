package dev.steward.model;

import java.util.List;
import java.util.Map;

/**
 * Where a service's instances may run in a cluster: only on nodes carrying every label in
 * {@code nodeLabels}; spread as evenly as may be over the values of the label {@code spread} (null: no
 * spread); only on nodes that run an instance of every service in {@code affinity}; never on a node that
 * runs an instance of a service in {@code antiAffinity} (nor, the other way round, beside a service that
 * names this one in its own). An agent alone ignores it.
 */
public record Placement(Map<String, String> nodeLabels, String spread, List<String> affinity, List<String> antiAffinity) {
    public static final Placement ANY = new Placement(Map.of(), null);

    public Placement {
        nodeLabels = nodeLabels == null ? Map.of() : Map.copyOf(nodeLabels);
        affinity = affinity == null ? List.of() : List.copyOf(affinity);
        antiAffinity = antiAffinity == null ? List.of() : List.copyOf(antiAffinity);
    }

    /** Labels and spread only. */
    public Placement(Map<String, String> nodeLabels, String spread) {
        this(nodeLabels, spread, List.of(), List.of());
    }

    /** Whether a node with {@code labels} may run the service. */
    public boolean admits(Map<String, String> labels) {
        return nodeLabels.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
    }
}
