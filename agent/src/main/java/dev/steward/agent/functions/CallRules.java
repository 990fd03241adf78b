package dev.steward.agent.functions;

import dev.steward.model.CallGraph;
import dev.steward.model.FunctionManifest;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The rules calls between functions keep, checked over every function when one is added: no cycle,
 * and every callee of the function added is a function already (callers are added after their callees).
 * A same-worker callee of another runtime runs in a second runtime process the caller's worker starts
 * beside itself (every runtime's worker does).
 */
final class CallRules {
    private CallRules() {}

    /** Refuses {@code added} (as {@code name}) when, with the functions stored, the calls break a rule. */
    static void check(String name, FunctionManifest added, Map<String, FunctionManifest> stored) {
        Map<String, FunctionManifest> all = new HashMap<>(stored);
        all.put(name, added);
        Map<String, Set<String>> graph = new HashMap<>();
        all.forEach((n, m) -> graph.put(n, m.calls().keySet()));
        CallGraph.cycle(graph).ifPresent(c -> {
            throw new IllegalArgumentException("calls: a cycle, " + String.join(" -> ", c) + " (functions may not call back into their callers)");
        });
        for (String callee : new java.util.TreeSet<>(added.calls().keySet())) {
            if (!all.containsKey(callee)) {
                throw new IllegalArgumentException("calls." + callee + ": no function '" + callee + "' (add the functions it calls first)");
            }
        }
    }

    /**
     * {@code name} and the functions it reaches through same-worker calls: what its worker loads (those of
     * another runtime in the second runtime processes it starts beside itself).
     */
    static List<String> sameWorker(String name, Map<String, FunctionManifest> all) {
        java.util.LinkedHashSet<String> out = new java.util.LinkedHashSet<>();
        java.util.ArrayDeque<String> todo = new java.util.ArrayDeque<>(List.of(name));
        while (!todo.isEmpty()) {
            String at = todo.poll();
            FunctionManifest m = all.get(at);
            if (m == null || !out.add(at)) continue;
            m.calls().forEach((callee, kind) -> {
                if (kind == FunctionManifest.CallKind.SAME_WORKER) todo.add(callee);
            });
        }
        return List.copyOf(out);
    }
}
