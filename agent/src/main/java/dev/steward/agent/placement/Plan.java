package dev.steward.agent.placement;

import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Places services' instances on nodes, pure: asks, the current assignments and the live nodes in,
 * a decision per service out. A node takes an instance when it carries the labels the spec asks for,
 * is not drained, and has the resources the spec requests left of its capacity after everything
 * assigned to it. Instances stay where they are while their node may still run them (no needless
 * moves); new ones go first to the value of the {@code spread} label with the fewest of the service,
 * then to the node with the fewest of the service, then to the node with the fewest instances in all;
 * an ask for one more near a node ({@link Ask#near}) puts the nearest nodes with room before all that.
 */
public final class Plan {
    private Plan() {}

    /**
     * Decides every ask, those named by another's affinity or anti-affinity before it (in the order given
     * otherwise, and where they name each other round); {@code current} maps service to node to count.
     */
    public static Map<String, Decision> place(List<Ask> asks, Map<String, Map<String, Integer>> current, List<Candidate> nodes) {
        Ledger ledger = new Ledger(nodes);
        Map<String, Ask> byName = new HashMap<>();
        asks.forEach(a -> byName.put(a.service(), a));
        current.forEach((service, on) -> {
            Ask a = byName.get(service);
            ledger.count(service, a == null ? null : a.each(), on);
        });
        return decide(asks, ledger, nodes, Neighbours.avoiders(asks));
    }

    /**
     * Decides {@code asks} alone against {@code ledger} (every service's instances as counted now, the others'
     * included), in the same order as {@link #place}; the ledger then counts each decision. {@code avoiders}:
     * {@link Neighbours#avoiders} of every registered service's ask, not only of these.
     */
    static Map<String, Decision> decide(List<Ask> asks, Ledger ledger, List<Candidate> nodes, Map<String, List<String>> avoiders) {
        Map<String, Ask> byName = new HashMap<>();
        asks.forEach(a -> byName.put(a.service(), a));
        Map<String, Decision> out = new LinkedHashMap<>();
        for (Ask a : Order.named(asks, byName)) {
            Map<String, Integer> mine = ledger.on(a.service());
            ledger.forget(a.service());
            Decision d = one(a, mine, nodes, ledger.loads(), Neighbours.of(a, avoiders, ledger.where()));
            ledger.placed(a.service(), a.each(), d.placed());
            out.put(a.service(), d);
        }
        return out;
    }

    /** One service: what it holds where it may stay, then new instances one at a time; {@code loads} takes what is placed. */
    static Decision one(Ask a, Map<String, Integer> mine, List<Candidate> nodes, Map<String, Load> loads, Neighbours neighbours) {
        List<Candidate> open = nodes.stream().filter(n -> !n.drained() && a.where().admits(n.labels()) && neighbours.admits(n.name())).toList();
        Map<String, Integer> placed = new TreeMap<>();
        int left = fill(a, open, mine, placed, loads, a.count());
        left = fill(a, open, null, placed, loads, left);
        if (left == 0) return new Decision.Placed(placed);
        int done = a.count() - left;
        String why = Reasons.pending(a, nodes, loads, neighbours);
        return new Decision.Pending(placed, left, done == 0 ? why : done + " of " + a.count() + " placed; " + why);
    }

    /** Places up to {@code left} instances on {@code among}, within {@code slots} when given (node to most); returns how many are left. */
    private static int fill(Ask a, List<Candidate> among, Map<String, Integer> slots, Map<String, Integer> placed, Map<String, Load> loads, int left) {
        Comparator<Candidate> order = order(a, among, placed, loads);
        while (left > 0) {
            Candidate best = among.stream()
                    .filter(n -> slots == null || placed.getOrDefault(n.name(), 0) < slots.getOrDefault(n.name(), 0))
                    .filter(n -> loads.get(n.name()).fits(a.each()))
                    .min(order).orElse(null);
            if (best == null) return left;
            placed.merge(best.name(), 1, Integer::sum);
            loads.get(best.name()).add(a.each(), 1);
            left--;
        }
        return 0;
    }

    /**
     * The nodes the ask is near first, nearest first; then the spread label's value with the fewest of the service,
     * then the fewest on the node, then the least loaded.
     */
    private static Comparator<Candidate> order(Ask a, List<Candidate> among, Map<String, Integer> placed, Map<String, Load> loads) {
        String spread = a.where().spread();
        Comparator<Candidate> byNear = Comparator.comparingInt(n -> {
            int i = a.near().indexOf(n.name());
            return i < 0 ? Integer.MAX_VALUE : i;
        });
        Comparator<Candidate> bySpread = Comparator.comparingInt(n -> spread == null ? 0 : among.stream()
                .filter(o -> Objects.equals(o.labels().get(spread), n.labels().get(spread)))
                .mapToInt(o -> placed.getOrDefault(o.name(), 0)).sum());
        return byNear.thenComparing(bySpread).thenComparingInt((Candidate n) -> placed.getOrDefault(n.name(), 0))
                .thenComparingInt(n -> loads.get(n.name()).instances())
                .thenComparing(Candidate::name);
    }
}
