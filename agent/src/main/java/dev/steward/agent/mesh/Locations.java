package dev.steward.agent.mesh;

import dev.steward.agent.Json;
import dev.steward.agent.rpc.Beyond;
import dev.steward.agent.rpc.Located;
import dev.steward.agent.rpc.Rpc;
import dev.steward.agent.store.EtcdStore;
import dev.steward.agent.store.Store;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.function.ToLongFunction;

/**
 * The protocol services across a cluster, for the locator ({@link Beyond}): what this node's locator serves is
 * published under {@code local/NODE/locator/NAME} (at the address other nodes reach it at), kept equal to it on
 * a thread of its own; what the other live nodes publish is read from the store's cache, rebuilt whenever the
 * watch brings a change, and handed whole to the locator. A name served on several nodes resolves to the
 * nearest (the round trips {@link Mesh} measures).
 */
public final class Locations implements Beyond, AutoCloseable {
    private final EtcdStore store;
    private final String node;
    private final Rpc rpc;
    /** Where other nodes reach this node's protocol services; null: they cannot (bound to loopback only). */
    private final String host;
    private final ToLongFunction<String> rtt;
    private final Semaphore served = new Semaphore(0);
    private final Semaphore changed = new Semaphore(0);
    private final List<AutoCloseable> watches = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private volatile Listings listings = Listings.EMPTY;
    private volatile boolean closed;

    /**
     * @param host where other nodes reach this node's protocol services ({@link #reachableAt}), or null
     * @param rtt  the round trip to a node in nanoseconds, negative when not measured yet
     */
    public Locations(EtcdStore store, String node, Rpc rpc, String host, ToLongFunction<String> rtt) {
        this.store = store;
        this.node = node;
        this.rpc = rpc;
        this.host = host;
        this.rtt = rtt;
    }

    /**
     * Where other nodes reach protocol services bound to {@code bound}: the advertised address for a wildcard
     * bind, the bound address itself, or null when it is a loopback address while the node advertises another
     * (other machines cannot reach it).
     */
    public static String reachableAt(String bound, String advertised) {
        if (loopbackOrAny(bound, true)) return advertised;
        if (loopbackOrAny(bound, false) && !loopbackOrAny(advertised, false)) return null;
        return bound;
    }

    private static boolean loopbackOrAny(String host, boolean any) {
        try {
            InetAddress a = InetAddress.getByName(host);
            return any ? a.isAnyLocalAddress() : a.isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** Reads what others publish, hands it to the locator, and publishes what this node serves; then follows both. */
    public void start() {
        rebuild();
        rpc.reach(node, this, served::release);
        watches.add(store.watchRaw("local/", (k, v) -> {
            if (k.contains("/" + Listings.PREFIX)) changed.release();
        }));
        watches.add(store.watch("nodes/", (k, v) -> changed.release()));
        store.onReturn(served::release); // what failed to be written while etcd was away
        served.release();
        threads.add(Thread.ofVirtual().name("steward-locations-read").start(() -> StepLoop.run(() -> closed, StepLoop.burst(changed), this::rebuild)));
        threads.add(Thread.ofVirtual().name("steward-locations-publish").start(() -> StepLoop.run(() -> closed, StepLoop.burst(served), this::publish)));
    }

    @Override
    public Located find(String name) {
        return listings.find(name, rtt);
    }

    @Override
    public Map<String, Located> all() {
        return listings.all(rtt);
    }

    private void rebuild() {
        Set<String> live = new HashSet<>();
        store.listRaw("nodes/").keySet().forEach(k -> live.add(k.substring("nodes/".length())));
        Listings now = Listings.of(store.listRaw("local/"), live, node);
        if (now.equals(listings)) return;
        listings = now;
        rpc.beyondChanged();
    }

    /** Makes {@code local/NODE/locator/} what this node's locator serves (not the locator itself: each node has its own). */
    private void publish() {
        Map<String, Located> want = new HashMap<>();
        if (host != null) {
            rpc.served().forEach((name, at) -> {
                if (!name.equals("locator")) want.put(Listings.PREFIX + name, new Located(host, at.port(), at.version(), at.methods()));
            });
        }
        Map<String, String> puts = new HashMap<>();
        List<String> deletes = new ArrayList<>();
        Map<String, String> have = store.list(Listings.PREFIX);
        want.forEach((key, at) -> {
            String stored = have.get(key);
            if (stored == null || !at.equals(read(stored))) puts.put(key, Json.write(at));
        });
        have.keySet().forEach(key -> {
            if (!want.containsKey(key)) deletes.add(key);
        });
        write(puts, deletes);
    }

    private static Located read(String stored) {
        try {
            return Json.read(stored, Located.class);
        } catch (RuntimeException bad) {
            return null;
        }
    }

    /** In transactions of at most {@link Store#MAX_BATCH} operations. */
    private void write(Map<String, String> puts, List<String> deletes) {
        Map<String, String> p = new HashMap<>();
        List<String> d = new ArrayList<>();
        for (var e : puts.entrySet()) {
            p.put(e.getKey(), e.getValue());
            if (p.size() == Store.MAX_BATCH) {
                store.apply(p, List.of());
                p.clear();
            }
        }
        for (String k : deletes) {
            d.add(k);
            if (p.size() + d.size() == Store.MAX_BATCH) {
                store.apply(p, d);
                p.clear();
                d.clear();
            }
        }
        if (!p.isEmpty() || !d.isEmpty()) store.apply(p, d);
    }

    @Override
    public void close() {
        closed = true;
        dev.steward.agent.Closing.all(watches);
        threads.forEach(Thread::interrupt);
    }
}
