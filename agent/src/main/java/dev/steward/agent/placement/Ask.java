package dev.steward.agent.placement;

import dev.steward.model.Placement;
import dev.steward.model.Resources;
import java.util.Objects;

/**
 * What one service asks of the cluster: {@code count} instances, each needing {@code each}, where {@code where}
 * allows; new instances go to the nodes of {@code near} first, in its order (an ask for one more near a node).
 */
public record Ask(String service, int count, Resources each, Placement where, java.util.List<String> near) {
    public Ask(String service, int count, Resources each, Placement where) {
        this(service, count, each, where, java.util.List.of());
    }

    public Ask {
        near = near == null ? java.util.List.of() : java.util.List.copyOf(near);
        Objects.requireNonNull(service, "service");
        if (count < 0) throw new IllegalArgumentException("count: " + count + " (expected: 0 or more)");
        if (each == null) each = Resources.NONE;
        if (where == null) where = Placement.ANY;
    }
}
