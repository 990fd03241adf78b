package dev.steward.agent.mesh;

import dev.steward.agent.Json;
import dev.steward.agent.cluster.NodeRecord;
import dev.steward.agent.placement.Assignment;
import dev.steward.agent.store.EtcdStore;
import dev.steward.agent.traffic.Endpoint;
import dev.steward.agent.traffic.Reach;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.function.ToIntFunction;

/**
 * This node's reach in a cluster ({@link Reach}): a table of other nodes' ready instances, rebuilt on a
 * thread of its own whenever instance records or nodes change (the store's watch) and published whole;
 * the round trips to the other nodes, probed every {@link #PROBE_EVERY}; and asks for one more instance.
 */
public final class Mesh implements Reach, AutoCloseable {
    static final Duration PROBE_EVERY = Duration.ofSeconds(1);
    private final EtcdStore store;
    private final String node;
    private final ToIntFunction<String> readyHere;
    private final RoundTrips rtts = new RoundTrips(System::nanoTime);
    private final Asker asker;
    private final Semaphore changed = new Semaphore(0);
    private final List<AutoCloseable> watches = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private volatile Map<String, List<Endpoint>> table = Map.of();
    private volatile boolean closed;

    /** @param readyHere how many instances of a service are ready on this node */
    public Mesh(EtcdStore store, String node, Clock clock, ToIntFunction<String> readyHere) {
        this.store = store;
        this.node = node;
        this.readyHere = readyHere;
        this.asker = new Asker(store, node, clock, this::nearest, this::starting);
    }

    /** Builds the table now, then follows the store, and probes the other nodes. */
    public void start() {
        rebuild();
        watches.add(store.watchRaw("local/", (k, v) -> changed.release()));
        watches.add(store.watch("nodes/", (k, v) -> changed.release()));
        threads.add(Thread.ofVirtual().name("steward-mesh-table").start(() -> StepLoop.run(() -> closed, this::awaitChange, this::rebuild)));
        threads.add(Thread.ofVirtual().name("steward-mesh-probe").start(() -> StepLoop.run(() -> closed, this::awaitProbe, () -> rtts.probe(gateways()))));
    }

    @Override
    public List<Endpoint> elsewhere(String service) {
        return table.getOrDefault(service, List.of());
    }

    @Override
    public long rttNanos(String other) {
        return rtts.nanos(other);
    }

    @Override
    public boolean ask(String service) {
        asker.ask(service);
        return true;
    }

    /** Whether some of the instances assigned to {@code service} are not ready yet (starting, say). */
    private boolean starting(String service) {
        int ready = readyHere.applyAsInt(service) + elsewhere(service).size();
        int assigned = store.get("assignments/" + service).map(v -> Json.read(v, Assignment.class))
                .map(a -> a.nodes().values().stream().mapToInt(Integer::intValue).sum()).orElse(0);
        return ready < assigned;
    }

    /** The round trips to the other nodes in milliseconds, as this node publishes them. */
    public Map<String, Double> rttMillis() {
        return rtts.millis();
    }

    /** This node first, then the others by their round trip, those not measured yet last. */
    List<String> nearest() {
        List<String> others = new ArrayList<>(gateways().keySet());
        others.sort(Comparator.comparingLong((String n) -> rtts.nanos(n) < 0 ? Long.MAX_VALUE : rtts.nanos(n)).thenComparing(n -> n));
        others.addFirst(node);
        return others;
    }

    /** The other live nodes' gateways, by node name. */
    private Map<String, InetSocketAddress> gateways() {
        Map<String, InetSocketAddress> out = new HashMap<>();
        store.listRaw("nodes/").values().forEach(v -> {
            NodeRecord r = Json.read(v, NodeRecord.class);
            if (r.name().equals(node) || r.address() == null || r.address().gateway().isEmpty()) return;
            URI u = URI.create(r.address().gateway());
            out.put(r.name(), new InetSocketAddress(u.getHost().replaceAll("^\\[|]$", ""), u.getPort()));
        });
        return out;
    }

    private void rebuild() {
        table = Elsewhere.table(store.listRaw("local/"), live(), node);
    }

    private java.util.Set<String> live() {
        java.util.Set<String> out = new java.util.HashSet<>();
        store.listRaw("nodes/").keySet().forEach(k -> out.add(k.substring("nodes/".length())));
        return out;
    }

    private boolean awaitChange() throws InterruptedException {
        changed.acquire();
        changed.drainPermits(); // one rebuild for a burst of changes
        return true;
    }

    private boolean awaitProbe() throws InterruptedException {
        Thread.sleep(PROBE_EVERY);
        return true;
    }

    @Override
    public void close() {
        closed = true;
        dev.steward.agent.Closing.all(watches);
        threads.forEach(Thread::interrupt);
    }
}
