package dev.steward.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The functions each function may call: a cycle among them is refused when a function is added. */
public final class CallGraph {
    private CallGraph() {}

    /**
     * A cycle through {@code graph} (function to the functions it calls), as the names along it with the
     * first repeated at the end ({@code a -> b -> a}), or empty when there is none.
     */
    public static Optional<List<String>> cycle(Map<String, Set<String>> graph) {
        for (String start : graph.keySet().stream().sorted().toList()) {
            List<String> path = new ArrayList<>();
            Optional<List<String>> found = walk(graph, start, path);
            if (found.isPresent()) return found;
        }
        return Optional.empty();
    }

    private static Optional<List<String>> walk(Map<String, Set<String>> graph, String at, List<String> path) {
        int seen = path.indexOf(at);
        if (seen >= 0) {
            List<String> loop = new ArrayList<>(path.subList(seen, path.size()));
            loop.add(at);
            return Optional.of(List.copyOf(loop));
        }
        path.add(at);
        for (String next : graph.getOrDefault(at, Set.of()).stream().sorted().toList()) {
            Optional<List<String>> found = walk(graph, next, path);
            if (found.isPresent()) return found;
        }
        path.remove(path.size() - 1);
        return Optional.empty();
    }
}
