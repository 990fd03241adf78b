package dev.steward.agent.placement;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What the scheduler wrote under {@code assignments/SERVICE}: how many instances each node runs
 * ({@code nodes}); instances on drained nodes kept until their replacements run ({@code leaving},
 * since {@code leavingSince}, epoch ms); the count placed for, and why some are not placed ("").
 */
public record Assignment(String service, int wanted, Map<String, Integer> nodes, Map<String, Integer> leaving, long leavingSince,
                         String pending) {
    public Assignment {
        Objects.requireNonNull(service, "service");
        nodes = nodes == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(nodes));
        leaving = leaving == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(leaving));
        pending = pending == null ? "" : pending;
    }

    /** How many instances {@code node} runs: those assigned, and those leaving it. */
    public int on(String node) {
        return nodes.getOrDefault(node, 0) + leaving.getOrDefault(node, 0);
    }
}
