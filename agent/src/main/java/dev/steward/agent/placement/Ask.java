package dev.steward.agent.placement;

import dev.steward.model.Placement;
import dev.steward.model.Resources;
import java.util.Objects;

/** What one service asks of the cluster: {@code count} instances, each needing {@code each}, where {@code where} allows. */
public record Ask(String service, int count, Resources each, Placement where) {
    public Ask {
        Objects.requireNonNull(service, "service");
        if (count < 0) throw new IllegalArgumentException("count: " + count + " (expected: 0 or more)");
        if (each == null) each = Resources.NONE;
        if (where == null) where = Placement.ANY;
    }
}
