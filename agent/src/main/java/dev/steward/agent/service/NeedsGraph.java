package dev.steward.agent.service;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Finds a cycle in the {@code needs} graph: pure. */
final class NeedsGraph {
    private NeedsGraph() {}

    /** A cycle through the graph as a path {@code a -> b -> a}, or null when there is none. */
    static List<String> cycle(Map<String, List<String>> needs) {
        Set<String> done = new HashSet<>();
        for (String start : needs.keySet()) {
            List<String> path = new ArrayList<>();
            List<String> found = visit(start, needs, done, path, new HashSet<>());
            if (found != null) return found;
        }
        return null;
    }

    private static List<String> visit(String at, Map<String, List<String>> needs, Set<String> done, List<String> path, Set<String> onPath) {
        if (onPath.contains(at)) {
            List<String> c = new ArrayList<>(path.subList(path.indexOf(at), path.size()));
            c.add(at);
            return c;
        }
        if (!done.add(at)) return null;
        path.add(at);
        onPath.add(at);
        for (String n : needs.getOrDefault(at, List.of())) {
            List<String> found = visit(n, needs, done, path, onPath);
            if (found != null) return found;
        }
        path.remove(path.size() - 1);
        onPath.remove(at);
        return null;
    }
}
