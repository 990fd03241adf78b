package dev.steward.agent.placement;

import dev.steward.agent.Json;
import dev.steward.agent.cluster.NodeRecord;
import dev.steward.agent.store.EtcdStore;
import dev.steward.agent.store.InstanceRecord;
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
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The cluster's one scheduler: every node campaigns ({@link Election}); the leader places services
 * ({@link Plan}, {@link Handover}) and writes {@code assignments/SERVICE} when specs, counts, nodes or
 * drains change (the store's watch), deciding only what changed ({@link Book}); a handover (a drain) is
 * decided again as soon as the watch brings a record of one of its instances, and once a second for what
 * waits on time; a service is placed with the most any node's lingers or autoscaler want of it
 * ({@link Wants}) when that is more than its record asks; it answers the asks for one more
 * instance near a node ({@link Extras}). Each write compares the
 * assignment's revision and the leader's own election key, so a leader that lost its lead meanwhile
 * writes nothing.
 */
public final class Scheduler implements AutoCloseable {
    static final String ASSIGNMENTS = "assignments/";
    static final String DRAINS = "drains/";
    static final String SERVICES = "services/";
    /** How long instances leaving a drained node wait for their replacements at most. */
    static final Duration PATIENCE = Duration.ofSeconds(30);
    private static final Duration PASS = Duration.ofSeconds(1);
    /** How often every service is decided again, whatever the watch said. */
    static final Duration FULL = Duration.ofSeconds(30);
    /** Assignments per transaction: with the leader's key, as many compares as etcd takes in one. */
    static final int BATCH = dev.steward.agent.store.Store.MAX_BATCH - 1;
    private final EtcdStore store;
    private final String node;
    private final Clock clock;
    private final Election election;
    private final Semaphore nudge = new Semaphore(0);
    private final List<AutoCloseable> watches = new ArrayList<>();
    private final Map<String, Spec> specs = new HashMap<>();
    private final Memo<NodeRecord> nodeRecords = new Memo<>(NodeRecord.class);
    /** What each node's lingers and autoscaler want, from the watch. */
    private final Wants wants = new Wants();
    /** Services named by the watch (their record, assignment or extra changed) or by a refused write, for the next pass. */
    private final ConcurrentLinkedQueue<String> changed = new ConcurrentLinkedQueue<>();
    /** Services whose wants (a node's lingers or autoscaler) changed, for the next pass. */
    private final ConcurrentLinkedQueue<String> demanded = new ConcurrentLinkedQueue<>();
    /** What the lead keeps between passes; null: read everything at the next pass. For the scheduler's thread. */
    private Book book;
    private long nextFull;
    private volatile boolean closed;
    private volatile String leaderKey;
    private volatile Totals totals = new Totals(0, 0, 0);
    /** The services handing instances over (leaving a drained node), as the last pass left them: their records nudge a pass. */
    private volatile Set<String> handingOver = Set.of();
    private Thread thread;

    public Scheduler(EtcdStore store, String node, Duration ttl, Clock clock) {
        this.store = store;
        this.node = node;
        this.clock = clock;
        this.election = new Election(store, node, ttl);
    }

    /** Campaigns, on a thread of its own, and schedules while this node leads. */
    public void start() {
        for (String prefix : List.of(SERVICES, ASSIGNMENTS, Extra.PREFIX)) {
            watches.add(store.watch(prefix, (key, value) -> {
                changed.add(key.substring(prefix.length()));
                nudge.release();
            }));
        }
        for (String prefix : List.of("nodes/", DRAINS, Election.NAME + "/")) {
            watches.add(store.watch(prefix, (key, value) -> nudge.release()));
        }
        // a handover ends when the nodes given the replacements say they run them ready: their records nudge at once;
        // and what a node's lingers and autoscaler want of a service is decided again
        watches.add(store.watchRaw("local/", (key, value) -> {
            String service = instanceService(key);
            if (service != null && handingOver.contains(service)) nudge.release();
            String wanted = wants.take(key, value);
            if (wanted != null) {
                demanded.add(wanted);
                nudge.release();
            }
        }));
        wants.load(store.listRaw("local/"));
        thread = Thread.ofVirtual().name("steward-scheduler").start(this::run);
    }

    /** The service of an instance record's raw key ({@code local/NODE/instances/SERVICE/ID}), or null for another key. */
    static String instanceService(String rawKey) {
        String[] p = rawKey.split("/");
        return p.length == 5 && p[0].equals("local") && p[2].equals("instances") ? p[3] : null;
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
                handingOver = Set.of();
                election.end();
            }
        }
    }

    private void lead() throws InterruptedException {
        book = null;
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

    /**
     * One pass: the services whose record or assignment changed since the last pass (the watch names them),
     * those whose instances leave a drained node, those with instances added on demand, and those tied to
     * them by affinity or anti-affinity are decided again against the capacity ledger kept between passes;
     * when that makes room, the services still pending too. Every service is decided again on the first
     * pass of a lead, when the live nodes or the drains change, and every {@link #FULL} as a safety pass.
     * What changed is written.
     */
    void pass() {
        long t0 = System.nanoTime();
        PassReport r = passOnce();
        Totals t = totals;
        totals = new Totals(t.passes() + 1, t.full() + (r.full() ? 1 : 0), t.decided() + (r.full() ? 0 : r.decided() + r.pending()));
        if (TRACE) System.err.printf("steward: scheduler pass %.1f ms (%s)%n", (System.nanoTime() - t0) / 1e6, r);
    }

    /**
     * What one pass did: whether it decided every service, how many it decided (of {@code services} registered),
     * how many pending ones it decided again once room was made, and how many changes it wrote.
     */
    record PassReport(boolean full, int decided, int services, int pending, int changes) {}

    /** Passes made while leading, of them those that decided every service, and services decided by the others. */
    record Totals(long passes, long full, long decided) {}

    Totals totals() {
        return totals;
    }

    private static final boolean TRACE = Boolean.getBoolean("steward.trace-scheduler");

    private PassReport passOnce() {
        long started = System.nanoTime();
        long now = clock.millis();
        nodeRecords.pass();
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
        Set<String> named = new HashSet<>();
        for (String s; (s = changed.poll()) != null; ) named.add(s);
        boolean full = book == null || !book.nodes().equals(nodes) || now >= nextFull;
        Set<String> dirty = new HashSet<>();
        boolean freed = false;
        if (full) {
            book = Book.load(store, nodes, book, specs);
            wants.load(store.listRaw("local/"));
            nextFull = now + FULL.toMillis();
            dirty.addAll(book.asks().keySet());
        } else {
            for (String s : named) {
                if (book.holds(store, s)) continue; // the watch bringing back what this scheduler wrote
                freed |= book.reread(store, s);
                dirty.add(s);
            }
            dirty.addAll(book.leaving());
        }
        for (String s; (s = demanded.poll()) != null; ) dirty.add(s);
        Extras extras = Extras.read(store);
        extras.services().forEach(s -> {
            if (book.asks().containsKey(s)) dirty.add(s);
        });
        List<Change> changes = new ArrayList<>();
        Set<String> decided = book.withTies(dirty);
        freed |= decide(decided, extras, alive.keySet(), drained, now, changes);
        for (String gone : book.orphans()) { // of services unregistered
            freed |= !book.stored(gone).nodes().isEmpty();
            String key = ASSIGNMENTS + gone;
            changes.add(new Change(gone, null, Map.of(key, Optional.of(book.storedRaw(gone))), Map.of(), List.of(key)));
        }
        int pending = 0;
        if (freed && !full) {
            Set<String> waiting = book.pending();
            waiting.removeAll(decided);
            if (!waiting.isEmpty()) {
                Set<String> more = book.withTies(waiting);
                more.removeAll(decided);
                decide(more, extras, alive.keySet(), drained, now, changes);
                pending = more.size();
            }
        }
        if (TRACE) System.err.printf("steward: scheduler decided in %.1f ms%n", (System.nanoTime() - started) / 1e6);
        extras.orphans(book.asks().keySet()).forEach((key, raw) -> changes.add(new Change(null, null, Map.of(key, Optional.of(raw)), Map.of(),
                List.of(key))));
        writeAll(changes);
        handingOver = Set.copyOf(book.leaving());
        return new PassReport(full, decided.size(), book.asks().size(), pending, changes.size());
    }

    /**
     * Decides {@code services} again (those registered) against the ledger and adds what changes to {@code changes};
     * returns whether that took instances off a node (room that services still pending may take).
     */
    private boolean decide(Set<String> services, Extras extras, Set<String> live, Set<String> drained, long now, List<Change> changes) {
        if (services.isEmpty()) return false;
        Ledger ledger = book.ledger();
        List<Ask> asks = new ArrayList<>();
        for (String s : services) {
            Ask a = book.asks().get(s);
            if (a != null) asks.add(wants.raise(extras.more(a, ledger.on(s)), live));
        }
        asks.sort(Comparator.comparing(Ask::service));
        Map<String, Decision> decisions = Plan.decide(asks, ledger, book.nodes(), Neighbours.avoiders(book.asks().values()));
        boolean freed = false;
        for (Ask a : asks) {
            String service = a.service();
            Assignment before = book.stored(service);
            Decision d = decisions.get(service);
            if (before != null) freed |= before.nodes().entrySet().stream().anyMatch(e -> e.getValue() > d.placed().getOrDefault(e.getKey(), 0));
            boolean handover = before != null && drained.stream().anyMatch(n -> before.on(n) > 0);
            Assignment next = Handover.next(before, a, d, drained, handover ? running(service, d.placed().keySet()) : Map.of(), now, PATIENCE);
            String key = ASSIGNMENTS + service;
            Map<String, Optional<String>> expected = new HashMap<>(Map.of(key, Optional.ofNullable(book.storedRaw(service))));
            Map<String, String> puts = new HashMap<>();
            if (!next.equals(before)) puts.put(key, Json.write(next));
            extras.answer(service, d, now, expected, puts);
            if (!puts.containsKey(key)) ledger.count(service, a.each(), before == null ? Map.of() : before.nodes()); // as stored
            if (!puts.isEmpty()) changes.add(new Change(service, next, expected, puts, List.of()));
        }
        return freed;
    }

    /**
     * One change: of a service's assignment ({@code service} and {@code next}; null for an extra alone), the keys
     * as read ({@code expected}, empty: none), and what is put and deleted.
     */
    private record Change(String service, Assignment next, Map<String, Optional<String>> expected, Map<String, String> puts,
                          List<String> deletes) {
        int ops() {
            return puts.size() + deletes.size();
        }
    }

    /**
     * Writes {@code changes} in transactions of at most {@link #BATCH} compares and operations, sent to etcd
     * together (their keys are distinct); each is compared with what was read and with this node's election
     * key. A batch refused (one changed meanwhile) is written one by one, so only the changed one waits for
     * the next pass, which reads it again.
     */
    private void writeAll(List<Change> changes) {
        List<List<Change>> batches = new ArrayList<>();
        List<Change> batch = new ArrayList<>();
        int compares = 0;
        int ops = 0;
        for (Change c : changes) {
            if (!batch.isEmpty() && (compares + c.expected().size() > BATCH || ops + c.ops() > BATCH)) {
                batches.add(batch);
                batch = new ArrayList<>();
                compares = 0;
                ops = 0;
            }
            batch.add(c);
            compares += c.expected().size();
            ops += c.ops();
        }
        if (!batch.isEmpty()) batches.add(batch);
        write(batches);
    }

    private void write(List<List<Change>> batches) {
        if (batches.isEmpty()) return;
        long t0 = System.nanoTime();
        List<Boolean> applied = store.compareAndApplyAll(batches.stream().map(this::transaction).toList());
        if (TRACE) System.err.printf("steward: scheduler wrote %d transaction(s) of %d change(s), %d refused, in %.1f ms%n", batches.size(),
                batches.stream().mapToInt(List::size).sum(), applied.stream().filter(a -> !a).count(), (System.nanoTime() - t0) / 1e6);
        for (int i = 0; i < batches.size(); i++) {
            List<Change> b = batches.get(i);
            if (applied.get(i)) {
                b.forEach(this::written);
            } else if (b.size() == 1 || !store.get(leaderKey).map(node::equals).orElse(false)) {
                b.forEach(c -> {
                    if (c.service() != null) changed.add(c.service());
                });
                nudge.release(); // changed meanwhile: the next pass reads these again
            } else {
                write(b.stream().map(List::of).toList());
            }
        }
    }

    /** One transaction of {@code batch}: every change's compares, puts and deletes, and this node's election key. */
    private EtcdStore.Batch transaction(List<Change> batch) {
        Map<String, Optional<String>> expected = new HashMap<>();
        Map<String, String> puts = new HashMap<>();
        List<String> deletes = new ArrayList<>();
        expected.put(leaderKey, Optional.of(node));
        for (Change c : batch) {
            expected.putAll(c.expected());
            puts.putAll(c.puts());
            deletes.addAll(c.deletes());
        }
        return new EtcdStore.Batch(expected, puts, deletes);
    }

    /** The book takes what {@code c} wrote. */
    private void written(Change c) {
        if (c.service() == null) return;
        String key = ASSIGNMENTS + c.service();
        if (c.deletes().contains(key)) book.written(c.service(), null, null);
        else if (c.puts().containsKey(key)) book.written(c.service(), c.next(), c.puts().get(key));
    }

    /**
     * Node to the instances of {@code service} it runs ready, for {@code nodes}, from their instance records
     * ({@code local/NODE/instances/SERVICE/ID}): ready to take requests, or running when they listen on no port.
     */
    private Map<String, Integer> running(String service, Set<String> nodes) {
        Map<String, Integer> out = new HashMap<>();
        for (String n : nodes) {
            int ready = 0;
            for (String v : store.listRaw("local/" + n + "/instances/" + service + "/").values()) {
                InstanceRecord r = Json.read(v, InstanceRecord.class);
                if (r.ready() || r.port() == 0) ready++;
            }
            out.put(n, ready);
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
