package dev.steward.agent.placement;

import dev.steward.model.Resources;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The capacity ledger, kept between scheduling passes: what each live node has in all and what is
 * counted against it, and where each service's instances are (node to count). Counting a service
 * again replaces what was counted for it before, so deciding one service again costs that service
 * alone. A service noted without what it requests (one no longer registered) is known to affinity
 * and anti-affinity but takes no capacity; instances on nodes that are no candidates take none either.
 * For one thread at a time.
 */
final class Ledger {
    private final Map<String, Load> loads = new HashMap<>();
    private final Map<String, Map<String, Integer>> where = new HashMap<>();
    private final Map<String, Resources> each = new HashMap<>();

    Ledger(List<Candidate> nodes) {
        nodes.forEach(n -> loads.put(n.name(), new Load(n.total())));
    }

    /**
     * Counts {@code on} (node to count) for {@code service} instead of what was counted before, each
     * instance requesting {@code one}; null: where it runs is known, and it takes no capacity.
     */
    void count(String service, Resources one, Map<String, Integer> on) {
        forget(service);
        if (one != null) on.forEach((node, n) -> {
            Load l = loads.get(node);
            if (l != null) l.add(one, n);
        });
        where.put(service, Map.copyOf(on));
        if (one != null) each.put(service, one);
    }

    /** Records {@code on} for {@code service}, uncounted before, whose instances {@link Plan} added to the loads one by one as it placed them. */
    void placed(String service, Resources one, Map<String, Integer> on) {
        where.put(service, Map.copyOf(on));
        each.put(service, one);
    }

    /** Counts nothing for {@code service} any more. */
    void forget(String service) {
        Map<String, Integer> before = where.remove(service);
        Resources one = each.remove(service);
        if (before == null || one == null) return;
        before.forEach((node, n) -> {
            Load l = loads.get(node);
            if (l != null) l.add(one, -n);
        });
    }

    /** Where {@code service} is counted: node to count (empty when nowhere). */
    Map<String, Integer> on(String service) {
        return where.getOrDefault(service, Map.of());
    }

    /** Service to node to count, for every service known; read-only, as it is when read. */
    Map<String, Map<String, Integer>> where() {
        return Collections.unmodifiableMap(where);
    }

    /** Node to what is counted against it. */
    Map<String, Load> loads() {
        return loads;
    }
}
