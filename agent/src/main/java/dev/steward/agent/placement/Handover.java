package dev.steward.agent.placement;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A decision made an assignment, pure: instances that leave a drained node (still alive) are kept
 * there, as {@code leaving}, until every node they went to runs what it was given, ready (its instance
 * records say so: ready to take requests, or running when they listen on no port), so each is started
 * elsewhere, and reachable, before the old one stops; at most for {@code patience}
 * (a replacement that cannot start, or cannot be placed, does not hold a drain forever).
 */
public final class Handover {
    private Handover() {}

    /**
     * @param previous what is stored now, or null
     * @param drained  the drained nodes that are alive
     * @param running  node to the instances of the service it runs now, ready (from its records)
     */
    public static Assignment next(Assignment previous, Ask ask, Decision d, Set<String> drained, Map<String, Integer> running,
                                  long now, Duration patience) {
        Map<String, Integer> leaving = new TreeMap<>();
        if (previous != null) {
            for (String node : drained) {
                int held = previous.on(node) - d.placed().getOrDefault(node, 0);
                if (held > 0) leaving.put(node, held);
            }
        }
        long since = leaving.isEmpty() ? 0 : previous.leavingSince() > 0 ? previous.leavingSince() : now;
        boolean replaced = d.placed().entrySet().stream().allMatch(e -> running.getOrDefault(e.getKey(), 0) >= e.getValue());
        if (replaced || now - since >= patience.toMillis()) {
            leaving.clear();
            since = 0;
        }
        String pending = d instanceof Decision.Pending p ? p.reason() : "";
        return new Assignment(ask.service(), ask.count(), d.placed(), leaving, since, pending);
    }
}
