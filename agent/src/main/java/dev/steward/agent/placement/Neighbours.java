package dev.steward.agent.placement;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * What affinity and anti-affinity let one service's instances do, pure: a node may take one when it
 * runs an instance of every service the spec's {@code affinity} names, none of a service its
 * {@code anti-affinity} names, and none of a service that names this one in its own anti-affinity (kept
 * apart both ways). Where services run is what the plan has decided so far in this pass, else what was
 * assigned before.
 */
final class Neighbours {
    private final Ask ask;
    private final List<String> avoiders;
    private final Map<String, Map<String, Integer>> where;

    private Neighbours(Ask ask, List<String> avoiders, Map<String, Map<String, Integer>> where) {
        this.ask = ask;
        this.avoiders = avoiders;
        this.where = where;
    }

    /**
     * The rules of {@code a}, with {@code avoiders} (service to the services that name it in their
     * anti-affinity; see {@link #avoiders}), reading {@code where} (service to node to count) as it is when asked.
     */
    static Neighbours of(Ask a, Map<String, List<String>> avoiders, Map<String, Map<String, Integer>> where) {
        return new Neighbours(a, avoiders.getOrDefault(a.service(), List.of()), where);
    }

    /** Service to the services whose anti-affinity names it. */
    static Map<String, List<String>> avoiders(Collection<Ask> asks) {
        Map<String, List<String>> out = new java.util.HashMap<>();
        asks.forEach(o -> o.where().antiAffinity().forEach(s -> out.computeIfAbsent(s, k -> new ArrayList<>()).add(o.service())));
        return out;
    }

    /** Whether {@code node} may take an instance. */
    boolean admits(String node) {
        return refusal(node) == null;
    }

    /** Why {@code node} may not take one (null: it may). */
    private String refusal(String node) {
        for (String s : ask.where().affinity()) {
            if (!runsOn(s, node)) return "has no " + s;
        }
        for (String s : ask.where().antiAffinity()) {
            if (runsOn(s, node)) return "runs " + s + " (anti-affinity)";
        }
        for (String s : avoiders) {
            if (runsOn(s, node)) return "runs " + s + " (which keeps apart from " + ask.service() + ")";
        }
        return null;
    }

    /** Why none of {@code nodes} may take one; null when one may. */
    String pending(List<Candidate> nodes) {
        if (nodes.stream().anyMatch(n -> admits(n.name()))) return null;
        List<String> nowhere = ask.where().affinity().stream().filter(s -> nodesOf(s).isEmpty()).toList();
        if (!nowhere.isEmpty()) {
            return "affinity: " + String.join(", ", nowhere) + (nowhere.size() == 1 ? " runs" : " run") + " on no node";
        }
        List<String> each = new ArrayList<>();
        nodes.forEach(n -> each.add(n.name() + " " + refusal(n.name())));
        return "no node fits its affinity and anti-affinity: " + String.join(", ", each);
    }

    private boolean runsOn(String service, String node) {
        return where.getOrDefault(service, Map.of()).getOrDefault(node, 0) > 0;
    }

    private Set<String> nodesOf(String service) {
        return where.getOrDefault(service, Map.of()).entrySet().stream().filter(e -> e.getValue() > 0).map(Map.Entry::getKey)
                .collect(Collectors.toCollection(TreeSet::new));
    }
}
