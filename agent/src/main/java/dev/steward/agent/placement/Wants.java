package dev.steward.agent.placement;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What each node's own demand asks of a service beyond its record ({@code local/NODE/wants/SERVICE}: the count its
 * lingers and its autoscaler want, written by the node only while above what the record asks), as the scheduler
 * keeps it from the store's watch. A service is placed with the most any live node wants, when that is more than
 * its record and the instances asked on demand give it.
 */
final class Wants {
    /** The key a node writes, under its own {@code local/NODE/}. */
    static final String PREFIX = "wants/";
    /** Service to node to count. */
    private final Map<String, Map<String, Integer>> byService = new ConcurrentHashMap<>();

    /** Everything again from the raw keys under {@code local/}. */
    void load(Map<String, String> raw) {
        byService.clear();
        raw.forEach((k, v) -> take(k, Optional.of(v)));
    }

    /** Takes the change of a raw key; returns the service it is about, or null for another key. */
    String take(String rawKey, Optional<String> value) {
        String[] p = rawKey.split("/");
        if (p.length != 4 || !p[0].equals("local") || !(p[2] + "/").equals(PREFIX)) return null;
        String node = p[1];
        String service = p[3];
        Integer count = value.map(Wants::count).orElse(null);
        if (count == null || count <= 0) {
            byService.computeIfPresent(service, (s, m) -> {
                m.remove(node);
                return m.isEmpty() ? null : m;
            });
        } else {
            byService.computeIfAbsent(service, s -> new ConcurrentHashMap<>()).put(node, count);
        }
        return service;
    }

    private static Integer count(String v) {
        try {
            return Integer.valueOf(v.strip());
        } catch (NumberFormatException bad) {
            return null;
        }
    }

    /** The most any of {@code live} wants of {@code service}; 0 when none wants any. */
    int of(String service, Set<String> live) {
        int most = 0;
        for (var e : byService.getOrDefault(service, Map.of()).entrySet()) {
            if (live.contains(e.getKey())) most = Math.max(most, e.getValue());
        }
        return most;
    }

    /** {@code a} asking for what live nodes want of it, when that is more. */
    Ask raise(Ask a, Set<String> live) {
        int want = of(a.service(), live);
        return want > a.count() ? new Ask(a.service(), want, a.each(), a.where(), a.near()) : a;
    }
}
