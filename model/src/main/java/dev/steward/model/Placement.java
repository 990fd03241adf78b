package dev.steward.model;

import java.util.Map;

/**
 * Where a service's instances may run in a cluster: only on nodes carrying every label in
 * {@code nodeLabels}, and spread as evenly as may be over the values of the label {@code spread}
 * (null: no spread). An agent alone ignores it.
 */
public record Placement(Map<String, String> nodeLabels, String spread) {
    public static final Placement ANY = new Placement(Map.of(), null);

    public Placement {
        nodeLabels = nodeLabels == null ? Map.of() : Map.copyOf(nodeLabels);
    }

    /** Whether a node with {@code labels} may run the service. */
    public boolean admits(Map<String, String> labels) {
        return nodeLabels.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
    }
}
