package dev.steward.agent.placement;

import dev.steward.agent.Json;
import dev.steward.agent.store.Store;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The instances added on demand ({@link Extra}) as the scheduler reads them in one pass, and its answers:
 * an ask adds one instance to its service's ask, near the node that asked; once placed the count grows by
 * one, in the same transaction as the assignment; when nothing fits the ask is refused with the reason and
 * the assignment stays as it was. Extra instances go when nobody asked for more for {@link #IDLE}.
 */
final class Extras {
    static final Duration IDLE = Duration.ofMinutes(5);
    private final Map<String, Extra> byService;
    private final Map<String, String> raw;
    /** The services whose ask {@link #more} added one instance for, in this pass, with the nodes it may go to and what they had. */
    private final Map<String, Near> added = new HashMap<>();

    /** Where the one asked for may go (nearest first), and the instances each node had before. */
    record Near(List<String> nodes, Map<String, Integer> before) {
        /** Whether {@code d} put one more on one of {@code nodes}. */
        boolean placedBy(Decision d) {
            return nodes.stream().anyMatch(n -> d.placed().getOrDefault(n, 0) > before.getOrDefault(n, 0));
        }
    }

    private Extras(Map<String, Extra> byService, Map<String, String> raw) {
        this.byService = byService;
        this.raw = raw;
    }

    static Extras read(Store store) {
        Map<String, Extra> by = new HashMap<>();
        Map<String, String> raw = new HashMap<>();
        store.list(Extra.PREFIX).forEach((k, v) -> {
            Extra e = Json.read(v, Extra.class);
            by.put(e.service(), e);
            raw.put(e.service(), v);
        });
        return new Extras(by, raw);
    }

    /**
     * {@code a} with its service's extra instances, and the one asked for, placed first on the nearest node to
     * the asker that runs none yet ({@code on}: node to the instances it was assigned). When every node runs
     * one, the ask adds nothing (and is refused): one more on the same node would not come nearer; nor is it
     * granted when the plan could only put it on a node that runs one already.
     */
    Ask more(Ask a, Map<String, Integer> on) {
        Extra e = byService.get(a.service());
        if (e == null) return a;
        List<String> near = e.near().stream().filter(n -> on.getOrDefault(n, 0) == 0).toList();
        boolean one = e.pending() && !near.isEmpty();
        if (one) added.put(a.service(), new Near(near, on));
        return new Ask(a.service(), a.count() + e.count() + (one ? 1 : 0), a.each(), a.where(), one ? near : List.of());
    }

    /**
     * Adds to one service's write (compared on {@code expected}) its answer to an ask, or the end of idle extras.
     *
     * @param d the decision for the ask {@link #more} made
     */
    void answer(String service, Decision d, long now, Map<String, Optional<String>> expected, Map<String, String> puts) {
        Extra e = byService.get(service);
        if (e == null) return;
        Extra next = next(e, added.get(service), d, now);
        if (next.equals(e)) return;
        if (e.pending() && !next.refused().isEmpty()) puts.remove(Scheduler.ASSIGNMENTS + service);
        String key = Extra.PREFIX + service;
        expected.put(key, Optional.of(raw.get(service)));
        puts.put(key, Json.write(next));
    }

    /** Pure: the answer to a pending ask, or the end of extras nobody asked for lately, or {@code e} as it is. */
    static Extra next(Extra e, Near near, Decision d, long now) {
        if (e.pending() && near == null) return e.refused("every node near " + e.by() + " runs an instance already");
        if (e.pending() && d instanceof Decision.Pending p) return e.refused(p.reason());
        if (e.pending()) return near.placedBy(d) ? e.granted() : e.refused("no node near " + e.by() + " without an instance has room");
        return e.count() > 0 && now - e.asked() > IDLE.toMillis() ? e.expired() : e;
    }

    /** The services with instances added on demand, or an ask for one. */
    java.util.Set<String> services() {
        return byService.keySet();
    }

    /** The keys (and values as read) of services no longer registered ({@code registered}: those that are). */
    Map<String, String> orphans(java.util.Set<String> registered) {
        Map<String, String> out = new HashMap<>();
        raw.forEach((service, v) -> {
            if (!registered.contains(service)) out.put(Extra.PREFIX + service, v);
        });
        return out;
    }
}
