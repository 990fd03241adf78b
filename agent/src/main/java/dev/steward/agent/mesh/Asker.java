package dev.steward.agent.mesh;

import dev.steward.agent.Json;
import dev.steward.agent.placement.Extra;
import dev.steward.agent.store.Store;
import dev.steward.agent.store.StoreException;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * This node's asks for one more instance of a service: a transaction on {@code extra/SERVICE} that only
 * succeeds when no ask of any node is pending there, so that agents asking at once make one ask; the
 * scheduler answers it. No ask is made while the service has assigned instances that are not ready yet
 * (the one asked for last is still starting), nor within {@link #COOLDOWN_MILLIS} of the last. Each ask runs
 * on a virtual thread of its own, one per service at a time on this node.
 */
final class Asker {
    static final long COOLDOWN_MILLIS = 1000;
    static final long RETRY_MILLIS = 100;
    private final Store store;
    private final String node;
    private final Clock clock;
    private final Supplier<List<String>> near;
    private final Predicate<String> starting;
    private final Map<String, Long> tried = new ConcurrentHashMap<>();

    /**
     * @param near     the nodes nearest to this one first, itself at the head
     * @param starting whether some of a service's assigned instances are not ready yet
     */
    Asker(Store store, String node, Clock clock, Supplier<List<String>> near, Predicate<String> starting) {
        this.store = store;
        this.node = node;
        this.clock = clock;
        this.near = near;
        this.starting = starting;
    }

    /**
     * Asks, off the caller's thread (an event loop's): at most one try per service under way here and one per
     * {@link #RETRY_MILLIS}, however many requests find no instance under their latency.
     */
    void ask(String service) {
        long now = clock.millis();
        Long last = tried.get(service);
        if (last != null && (last < 0 || now - last < RETRY_MILLIS)) return;
        if (last == null ? tried.putIfAbsent(service, -1L) != null : !tried.replace(service, last, -1L)) return;
        Thread.ofVirtual().name("steward-ask-" + service).start(() -> {
            try {
                if (!starting.test(service)) once(service);
            } catch (StoreException e) {
                System.err.println("steward: cannot ask for one more instance of " + service + ": " + e.getMessage());
            } finally {
                tried.put(service, clock.millis());
            }
        });
    }

    /** One try; false when another ask is pending, one was made lately, or another node's came first. */
    boolean once(String service) {
        String key = Extra.PREFIX + service;
        Optional<String> raw = store.get(key);
        Extra before = raw.map(v -> Json.read(v, Extra.class)).orElse(null);
        if (before != null && (before.pending() || clock.millis() - before.asked() < COOLDOWN_MILLIS)) return false;
        Extra next = Extra.ask(service, before, node, near.get(), clock.millis());
        return store.compareAndApply(Map.of(key, raw), Map.of(key, Json.write(next)), List.of());
    }
}
