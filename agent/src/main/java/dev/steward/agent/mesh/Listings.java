package dev.steward.agent.mesh;

import dev.steward.agent.Json;
import dev.steward.agent.rpc.Located;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.ToLongFunction;

/**
 * The protocol services other live nodes publish ({@code local/NODE/locator/NAME}), by name, and which of
 * them a name resolves to: {@code NAME@NODE} to that node's; a name alone to the nearest node that serves it,
 * but never to another node's own services ({@link #OWN}: its locator, logging and node service). Immutable;
 * built by the pure {@link #of}.
 */
record Listings(Map<String, Map<String, Located>> byName) {
    static final Listings EMPTY = new Listings(Map.of());
    /** What every node has of its own: reached on another node only as {@code NAME@NODE}. */
    static final Set<String> OWN = Set.of("locator", "logging", "node");
    static final String PREFIX = "locator/";

    Listings {
        Map<String, Map<String, Located>> copy = new HashMap<>();
        byName.forEach((name, on) -> copy.put(name, Map.copyOf(on)));
        byName = Map.copyOf(copy);
    }

    /**
     * @param records raw keys under {@code local/} to their values (any key: those of {@code locator/} are read)
     * @param live    the nodes that hold their lease
     * @param self    this node, whose own are its locator's already
     */
    static Listings of(Map<String, String> records, Set<String> live, String self) {
        Map<String, Map<String, Located>> out = new HashMap<>();
        records.forEach((key, value) -> {
            String[] p = key.split("/");
            if (p.length != 4 || !p[0].equals("local") || !(p[2] + "/").equals(PREFIX)) return;
            String node = p[1];
            if (node.equals(self) || !live.contains(node)) return;
            Located at;
            try {
                at = Json.read(value, Located.class);
            } catch (RuntimeException bad) { // a record this version cannot read: not served from here
                return;
            }
            out.computeIfAbsent(p[3], n -> new TreeMap<>()).put(node, at);
        });
        return new Listings(out);
    }

    /** Where {@code name} resolves, nearest first by {@code rtt} (nanoseconds, negative: not measured), or null. */
    Located find(String name, ToLongFunction<String> rtt) {
        int at = name.lastIndexOf('@');
        if (at > 0) return byName.getOrDefault(name.substring(0, at), Map.of()).get(name.substring(at + 1));
        if (OWN.contains(name)) return null;
        Map<String, Located> on = byName.getOrDefault(name, Map.of());
        return nearest(on.keySet(), rtt).stream().findFirst().map(on::get).orElse(null);
    }

    /** Every name resolvable: each app or function served elsewhere (as {@link #find} picks it), and {@code node@NODE} of each node. */
    Map<String, Located> all(ToLongFunction<String> rtt) {
        Map<String, Located> out = new LinkedHashMap<>();
        new TreeMap<>(byName).forEach((name, on) -> {
            if (!OWN.contains(name)) out.put(name, find(name, rtt));
        });
        new TreeMap<>(byName.getOrDefault("node", Map.of())).forEach((node, at) -> out.put("node@" + node, at));
        return out;
    }

    /** {@code nodes} nearest first: by round trip, those not measured after, then by name. */
    static List<String> nearest(Set<String> nodes, ToLongFunction<String> rtt) {
        List<String> out = new ArrayList<>(nodes);
        out.sort(Comparator.comparingLong((String n) -> rtt.applyAsLong(n) < 0 ? Long.MAX_VALUE : rtt.applyAsLong(n)).thenComparing(n -> n));
        return out;
    }
}
