package dev.steward.agent.placement;

import java.util.List;
import java.util.Objects;

/**
 * Instances of a service added on demand, beyond what its policy wants, kept under {@code extra/SERVICE}:
 * {@code count} so far; an ask from node {@code by} ("" when none is pending), with the nodes nearest to
 * it first ({@code near}), which only the scheduler answers; when one was last asked for ({@code asked},
 * epoch ms); and why the last ask found no room ("").
 */
public record Extra(String service, int count, String by, List<String> near, long asked, String refused) {
    public static final String PREFIX = "extra/";

    public Extra {
        Objects.requireNonNull(service, "service");
        if (count < 0) throw new IllegalArgumentException("count: " + count + " (expected: 0 or more)");
        by = by == null ? "" : by;
        near = near == null ? List.of() : List.copyOf(near);
        refused = refused == null ? "" : refused;
    }

    /** Whether an ask waits for the scheduler. */
    public boolean pending() {
        return !by.isEmpty();
    }

    /** {@code node} asks for one more, nearest nodes first; {@code before} is what is stored, or null. */
    public static Extra ask(String service, Extra before, String node, List<String> near, long now) {
        return new Extra(service, before == null ? 0 : before.count, node, near, now, "");
    }

    /** The scheduler placed the one asked for. */
    Extra granted() {
        return new Extra(service, count + 1, "", List.of(), asked, "");
    }

    /** The scheduler found no room for it. */
    Extra refused(String why) {
        return new Extra(service, count, "", List.of(), asked, why);
    }

    /** Nobody asked for more for a while: the extra instances go. */
    Extra expired() {
        return new Extra(service, 0, "", List.of(), asked, refused);
    }
}
