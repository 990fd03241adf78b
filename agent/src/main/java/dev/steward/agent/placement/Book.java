package dev.steward.agent.placement;

import dev.steward.agent.Json;
import dev.steward.agent.service.Placed;
import dev.steward.agent.service.Registry;
import dev.steward.agent.store.ServiceRecord;
import dev.steward.agent.store.Store;
import dev.steward.model.Kind;
import dev.steward.model.Spec;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the leading scheduler keeps between its passes, so that a pass reads and decides only the
 * services whose record or assignment changed: each registered service's ask (its record as read, and
 * what it asks), each stored assignment (as read and parsed), the live nodes it was built for and the
 * capacity {@link Ledger} of what is assigned. A service read again has its ask and assignment taken
 * from the store and its ledger count replaced by its stored assignment, so what a pass decides for it
 * starts from what etcd holds. For the scheduler's own thread only.
 */
final class Book {
    private final List<Candidate> nodes;
    private final Ledger ledger;
    private final Map<String, String> records = new HashMap<>();
    private final Map<String, Ask> asks = new HashMap<>();
    private final Map<String, String> storedRaw = new HashMap<>();
    private final Map<String, Assignment> stored = new HashMap<>();
    /** Spec text to the spec, shared by the books of one scheduler (parsing a spec costs more than the rest). */
    private final Map<String, Spec> specs;

    private Book(List<Candidate> nodes, Map<String, Spec> specs) {
        this.nodes = List.copyOf(nodes);
        this.ledger = new Ledger(nodes);
        this.specs = specs;
    }

    /** Every service and assignment the store holds, for {@code nodes}; what {@code before} parsed and is unchanged is reused. */
    static Book load(Store store, List<Candidate> nodes, Book before, Map<String, Spec> specs) {
        Book b = new Book(nodes, specs);
        Book prev = before != null ? before : b;
        store.list(Scheduler.SERVICES).forEach((key, raw) -> {
            String name = key.substring(Scheduler.SERVICES.length());
            Ask a = raw.equals(prev.records.get(name)) ? prev.asks.get(name) : b.ask(raw);
            b.records.put(name, raw);
            if (a != null) b.asks.put(name, a);
        });
        store.list(Scheduler.ASSIGNMENTS).forEach((key, raw) -> {
            String name = key.substring(Scheduler.ASSIGNMENTS.length());
            Assignment a = raw.equals(prev.storedRaw.get(name)) ? prev.stored.get(name) : Json.read(raw, Assignment.class);
            b.storedRaw.put(name, raw);
            b.stored.put(name, a);
        });
        b.stored.forEach((name, a) -> b.countStored(name));
        if (specs.size() > 4 * b.asks.size() + 64) specs.clear();
        return b;
    }

    /**
     * Reads {@code service}'s record and assignment again from the store, and counts its stored assignment;
     * returns whether its ask shrank (fewer instances, smaller ones, or other rules), which may make room.
     */
    boolean reread(Store store, String service) {
        String raw = store.get(Scheduler.SERVICES + service).orElse(null);
        Ask before = asks.get(service);
        if (raw == null) {
            records.remove(service);
            asks.remove(service);
        } else if (!raw.equals(records.get(service))) {
            records.put(service, raw);
            Ask a = ask(raw);
            if (a != null) asks.put(service, a);
            else asks.remove(service);
        }
        Ask after = asks.get(service);
        String assigned = store.get(Scheduler.ASSIGNMENTS + service).orElse(null);
        if (assigned == null) {
            storedRaw.remove(service);
            stored.remove(service);
        } else if (!assigned.equals(storedRaw.get(service))) {
            storedRaw.put(service, assigned);
            stored.put(service, Json.read(assigned, Assignment.class));
        }
        countStored(service);
        return before != null && (after == null || after.count() < before.count() || !after.each().equals(before.each())
                || !after.where().equals(before.where()));
    }

    /** Whether the store's assignment of {@code service} is the one this book holds (a change the watch brings back). */
    boolean holds(Store store, String service) {
        return store.get(Scheduler.ASSIGNMENTS + service).equals(java.util.Optional.ofNullable(storedRaw.get(service)))
                && store.get(Scheduler.SERVICES + service).equals(java.util.Optional.ofNullable(records.get(service)));
    }

    /** {@code next} was written for {@code service} as {@code raw} (null: its assignment was deleted). */
    void written(String service, Assignment next, String raw) {
        if (raw == null) {
            storedRaw.remove(service);
            stored.remove(service);
            ledger.forget(service);
        } else {
            storedRaw.put(service, raw);
            stored.put(service, next);
        }
    }

    private void countStored(String service) {
        Assignment a = stored.get(service);
        Ask ask = asks.get(service);
        if (a == null) ledger.forget(service);
        else ledger.count(service, ask == null ? null : ask.each(), a.nodes());
    }

    /** What a service record asks of the cluster, before instances added on demand; null when it is no service that is placed. */
    private Ask ask(String raw) {
        ServiceRecord r = Json.read(raw, ServiceRecord.class);
        Spec spec = specs.computeIfAbsent(r.spec(), text -> Registry.storedSpec(r));
        if (spec == null || spec.kind() != Kind.SERVICE) return null;
        return new Ask(r.name(), Placed.wanted(spec, r), spec.resources(), spec.placement());
    }

    List<Candidate> nodes() {
        return nodes;
    }

    Ledger ledger() {
        return ledger;
    }

    Map<String, Ask> asks() {
        return asks;
    }

    Assignment stored(String service) {
        return stored.get(service);
    }

    String storedRaw(String service) {
        return storedRaw.get(service);
    }

    /** Services with a stored assignment and no ask (no longer registered, or no longer a service that is placed). */
    List<String> orphans() {
        List<String> out = new ArrayList<>();
        stored.keySet().forEach(s -> {
            if (!asks.containsKey(s)) out.add(s);
        });
        return out;
    }

    /** Services whose assignment waits on time or on other nodes: instances leaving a drained node. */
    Set<String> leaving() {
        Set<String> out = new HashSet<>();
        stored.forEach((s, a) -> {
            if (!a.leaving().isEmpty()) out.add(s);
        });
        return out;
    }

    /** Services some of whose instances found no node. */
    Set<String> pending() {
        Set<String> out = new HashSet<>();
        stored.forEach((s, a) -> {
            if (!a.pending().isEmpty()) out.add(s);
        });
        return out;
    }

    /**
     * {@code services} with every service tied to one of them by affinity or anti-affinity (either way,
     * through others too): where one of them moves, those tied to it are decided again with it.
     */
    Set<String> withTies(Collection<String> services) {
        if (services.isEmpty()) return new HashSet<>();
        Map<String, Set<String>> ties = new HashMap<>();
        asks.values().forEach(a -> {
            for (List<String> named : List.of(a.where().affinity(), a.where().antiAffinity())) {
                for (String n : named) {
                    ties.computeIfAbsent(a.service(), k -> new HashSet<>()).add(n);
                    ties.computeIfAbsent(n, k -> new HashSet<>()).add(a.service());
                }
            }
        });
        Set<String> out = new HashSet<>(services);
        if (ties.isEmpty()) return out;
        List<String> todo = new ArrayList<>(services);
        while (!todo.isEmpty()) {
            String s = todo.removeLast();
            for (String t : ties.getOrDefault(s, Set.of())) {
                if (out.add(t)) todo.add(t);
            }
        }
        return out;
    }
}
