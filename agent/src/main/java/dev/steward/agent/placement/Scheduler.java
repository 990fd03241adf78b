package dev.steward.agent.placement;

import dev.steward.agent.Json;
import dev.steward.agent.cluster.NodeRecord;
import dev.steward.agent.service.Placed;
import dev.steward.agent.service.Registry;
import dev.steward.agent.store.EtcdStore;
import dev.steward.agent.store.ServiceRecord;
import dev.steward.model.Kind;
import dev.steward.model.Spec;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The cluster's one scheduler: every node campaigns ({@link Election}); the leader places services
 * ({@link Plan}, {@link Handover}) and writes {@code assignments/SERVICE} when specs, counts, nodes or
 * drains change (the store's watch), and once a second as a safety pass; it answers the asks for one more
 * instance near a node ({@link Extras}). Each write compares the
 * assignment's revision and the leader's own election key, so a leader that lost its lead meanwhile
 * writes nothing.
 */
public final class Scheduler implements AutoCloseable {
    static final String ASSIGNMENTS = "assignments/";
    static final String DRAINS = "drains/";
    /** How long instances leaving a drained node wait for their replacements at most. */
    static final Duration PATIENCE = Duration.ofSeconds(30);
    private static final Duration PASS = Duration.ofSeconds(1);
    /** Assignments per transaction: with the leader's key, as many compares as etcd takes in one. */
    static final int BATCH = dev.steward.agent.store.Store.MAX_BATCH - 1;
    private final EtcdStore store;
    private final String node;
    private final Clock clock;
    private final Election election;
    private final Semaphore nudge = new Semaphore(0);
    private final List<AutoCloseable> watches = new ArrayList<>();
    private final Map<String, Spec> specs = new HashMap<>();
    private final Memo<ServiceRecord> services = new Memo<>(ServiceRecord.class);
    private final Memo<NodeRecord> nodeRecords = new Memo<>(NodeRecord.class);
    private final Memo<Assignment> assignments = new Memo<>(Assignment.class);
    private volatile boolean closed;
    private volatile String leaderKey;
    private Thread thread;

    public Scheduler(EtcdStore store, String node, Duration ttl, Clock clock) {
        this.store = store;
        this.node = node;
        this.clock = clock;
        this.election = new Election(store, node, ttl);
    }

    /** Campaigns, on a thread of its own, and schedules while this node leads. */
    public void start() {
        for (String prefix : List.of("services/", "nodes/", DRAINS, ASSIGNMENTS, Extra.PREFIX, Election.NAME + "/")) {
            watches.add(store.watch(prefix, (key, value) -> nudge.release()));
        }
        thread = Thread.ofVirtual().name("steward-scheduler").start(this::run);
    }

    /** The node leading now, if any. */
    public Optional<String> leader() {
        return leaderKey != null ? Optional.of(node) : election.leader();
    }

    private void run() {
        while (!closed) {
            try {
                leaderKey = election.campaign();
                System.err.println("steward: node " + node + " leads the scheduler");
                lead();
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                if (closed) return;
                System.err.println("steward: the scheduler: " + e.getMessage());
                if (!pause()) return;
            } finally {
                leaderKey = null;
                election.end();
            }
        }
    }

    private void lead() throws InterruptedException {
        while (!closed && store.modRevision(leaderKey) > 0) {
            try {
                pass();
            } catch (RuntimeException e) {
                System.err.println("steward: a scheduling pass failed: " + e.getMessage());
            }
            nudge.tryAcquire(PASS.toMillis(), TimeUnit.MILLISECONDS);
            nudge.drainPermits();
        }
        if (!closed) System.err.println("steward: node " + node + " no longer leads the scheduler (its election key is gone)");
    }

    /** One pass: every service placed again from what the store holds now; what changed is written. */
    void pass() {
        long t0 = System.nanoTime();
        try {
            passOnce();
        } finally {
            if (TRACE) System.err.printf("steward: scheduler pass %.1f ms%n", (System.nanoTime() - t0) / 1e6);
        }
    }

    private static final boolean TRACE = Boolean.getBoolean("steward.trace-scheduler");

    private void passOnce() {
        services.pass();
        nodeRecords.pass();
        assignments.pass();
        Map<String, NodeRecord> alive = new HashMap<>();
        store.listRaw("nodes/").values().forEach(v -> {
            NodeRecord r = nodeRecords.read(v);
            alive.put(r.name(), r);
        });
        Set<String> drained = new HashSet<>();
        store.list(DRAINS).keySet().forEach(k -> drained.add(k.substring(DRAINS.length())));
        drained.retainAll(alive.keySet());
        List<Candidate> nodes = alive.values().stream().map(r -> Candidate.of(r, drained.contains(r.name())))
                .sorted(Comparator.comparing(Candidate::name)).toList();
        Map<String, String> storedRaw = new HashMap<>();
        Map<String, Assignment> stored = new HashMap<>();
        Map<String, Map<String, Integer>> current = new HashMap<>();
        store.list(ASSIGNMENTS).forEach((k, v) -> {
            Assignment a = assignments.read(v);
            storedRaw.put(a.service(), v);
            stored.put(a.service(), a);
            current.put(a.service(), a.nodes());
        });
        Extras extras = Extras.read(store);
        List<Ask> asks = asks(extras, current);
        Map<String, Decision> decisions = Plan.place(asks, current, nodes);
        Map<String, Map<String, Integer>> running = running();
        long now = clock.millis();
        List<Change> changes = new ArrayList<>();
        for (Ask a : asks) {
            Assignment before = stored.remove(a.service());
            Decision d = decisions.get(a.service());
            Assignment next = Handover.next(before, a, d, drained, running.getOrDefault(a.service(), Map.of()), now, PATIENCE);
            String key = ASSIGNMENTS + a.service();
            Map<String, Optional<String>> expected = new HashMap<>(Map.of(key, Optional.ofNullable(storedRaw.get(a.service()))));
            Map<String, String> puts = new HashMap<>();
            if (!next.equals(before)) puts.put(key, Json.write(next));
            extras.answer(a.service(), d, now, expected, puts);
            if (!puts.isEmpty()) changes.add(new Change(expected, puts, List.of()));
        }
        stored.keySet().forEach(gone -> changes.add(new Change(Map.of(ASSIGNMENTS + gone, Optional.of(storedRaw.get(gone))), Map.of(),
                List.of(ASSIGNMENTS + gone)))); // of services unregistered
        extras.orphans(asks).forEach((key, raw) -> changes.add(new Change(Map.of(key, Optional.of(raw)), Map.of(), List.of(key))));
        List<Change> batch = new ArrayList<>();
        int compares = 0;
        int ops = 0;
        for (Change c : changes) {
            if (!batch.isEmpty() && (compares + c.expected().size() > BATCH || ops + c.ops() > BATCH)) {
                write(batch);
                batch = new ArrayList<>();
                compares = 0;
                ops = 0;
            }
            batch.add(c);
            compares += c.expected().size();
            ops += c.ops();
        }
        if (!batch.isEmpty()) write(batch);
    }

    /** One service's change: the keys as read ({@code expected}, empty: none), and what is put and deleted. */
    private record Change(Map<String, Optional<String>> expected, Map<String, String> puts, List<String> deletes) {
        int ops() {
            return puts.size() + deletes.size();
        }
    }

    /**
     * Writes a batch of changes in one transaction, each compared with what was read and with this
     * node's election key; a batch refused (one changed meanwhile) is written one by one, so only the
     * changed one waits for the next pass.
     */
    private void write(List<Change> batch) {
        Map<String, Optional<String>> expected = new HashMap<>();
        Map<String, String> puts = new HashMap<>();
        List<String> deletes = new ArrayList<>();
        expected.put(leaderKey, Optional.of(node));
        for (Change c : batch) {
            expected.putAll(c.expected());
            puts.putAll(c.puts());
            deletes.addAll(c.deletes());
        }
        boolean applied = store.compareAndApply(expected, puts, deletes);
        if (TRACE) System.err.printf("steward: scheduler write of %d change(s): %s%n", batch.size(), applied ? "applied" : "refused");
        if (applied) return;
        if (batch.size() == 1 || !store.get(leaderKey).map(node::equals).orElse(false)) {
            nudge.release(); // changed meanwhile: the next pass looks again
            return;
        }
        batch.forEach(c -> write(List.of(c)));
    }

    /** What each registered service asks, by name, with the instances added on demand; a spec read once per text. */
    private List<Ask> asks(Extras extras, Map<String, Map<String, Integer>> current) {
        List<Ask> asks = new ArrayList<>();
        for (String raw : store.list("services/").values()) {
            ServiceRecord r = services.read(raw);
            Spec spec = specs.computeIfAbsent(r.spec(), text -> Registry.storedSpec(r));
            if (spec == null || spec.kind() != Kind.SERVICE) continue;
            asks.add(extras.more(new Ask(r.name(), Placed.wanted(spec, r), spec.resources(), spec.placement()),
                    current.getOrDefault(r.name(), Map.of())));
        }
        if (specs.size() > 4 * asks.size() + 64) specs.clear();
        asks.sort(Comparator.comparing(Ask::service));
        return asks;
    }

    /** Service to node to the instances it runs, from every node's instance records ({@code local/NODE/instances/SERVICE/ID}). */
    private Map<String, Map<String, Integer>> running() {
        Map<String, Map<String, Integer>> out = new HashMap<>();
        for (String k : store.listRaw("local/").keySet()) {
            String[] p = k.split("/");
            if (p.length == 5 && p[2].equals("instances")) out.computeIfAbsent(p[3], s -> new HashMap<>()).merge(p[1], 1, Integer::sum);
        }
        return out;
    }

    private boolean pause() {
        try {
            Thread.sleep(1000);
            return true;
        } catch (InterruptedException e) {
            return false;
        }
    }

    /** Stops campaigning; a leader's lease is revoked, so another node is elected at once. */
    @Override
    public void close() {
        closed = true;
        dev.steward.agent.Closing.all(watches);
        if (thread != null) {
            thread.interrupt();
            try {
                thread.join(3000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
