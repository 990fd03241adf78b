package dev.steward.agent.placement;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The order asks are decided in: a service after those its affinity and anti-affinity name (depth first; a loop is cut where it closes). */
final class Order {
    private Order() {}

    static List<Ask> named(List<Ask> asks, Map<String, Ask> byName) {
        List<Ask> out = new ArrayList<>(asks.size());
        Set<String> seen = new HashSet<>();
        for (Ask a : asks) visit(a, byName, seen, out);
        return out;
    }

    private static void visit(Ask a, Map<String, Ask> byName, Set<String> seen, List<Ask> out) {
        if (!seen.add(a.service())) return;
        for (List<String> names : List.of(a.where().affinity(), a.where().antiAffinity())) {
            for (String n : names) {
                Ask first = byName.get(n);
                if (first != null) visit(first, byName, seen, out);
            }
        }
        out.add(a);
    }
}
