package dev.steward.agent.cluster;

import dev.steward.agent.Json;
import dev.steward.agent.store.EtcdStore;
import dev.steward.agent.store.StoreException;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.lease.LeaseKeepAliveResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.support.CloseableClient;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * This node in the cluster: a lease of a few seconds' TTL kept alive by jetcd, and under it
 * {@code nodes/NAME} with the node's record, refreshed every {@code ttl/2}. The name is taken with a
 * transaction that succeeds only when no one holds it, so a second agent of the same name is refused
 * while the first one's lease lives; a killed agent's lease runs out and its key goes with it. A lease
 * lost (etcd away longer than the TTL) is taken again at the next refresh, if the name is still free.
 */
public final class Membership implements Nodes, AutoCloseable {
    private static final String NODES = "nodes/";
    private final EtcdStore store;
    private final NodeReport self;
    private final Duration ttl;
    private final Clock clock;
    private final ReentrantLock lock = new ReentrantLock();
    private long lease;
    private long createRevision;
    private CloseableClient keepAlive;
    private ScheduledFuture<?> refresh;

    private final java.util.function.LongConsumer granted; // told each lease granted (tests make one run out)

    private Membership(EtcdStore store, NodeReport self, Duration ttl, Clock clock, java.util.function.LongConsumer granted) {
        this.store = store;
        this.self = self;
        this.ttl = ttl;
        this.clock = clock;
        this.granted = granted;
    }

    /** Takes the node's name in the cluster; refused (IllegalStateException) while another agent holds it. */
    public static Membership join(EtcdStore store, NodeReport self, Duration ttl, Clock clock) {
        return join(store, self, ttl, clock, lease -> {});
    }

    static Membership join(EtcdStore store, NodeReport self, Duration ttl, Clock clock, java.util.function.LongConsumer granted) {
        Membership m = new Membership(store, self, ttl, clock, granted);
        m.take();
        return m;
    }

    /** The lease this node's record is under. */
    long lease() {
        return lease;
    }

    /** Refreshes the node's record every {@code ttl/2} on {@code timer}, at once first. */
    public void publish(ScheduledExecutorService timer) {
        long period = Math.max(500, ttl.toMillis() / 2);
        refresh = timer.scheduleWithFixedDelay(this::refreshQuietly, 0, period, TimeUnit.MILLISECONDS);
    }

    @Override
    public List<NodeView> nodes() {
        var now = clock.instant();
        return store.listRaw(NODES).values().stream().map(v -> NodeView.of(Json.read(v, NodeRecord.class), now))
                .sorted(java.util.Comparator.comparing(NodeView::name)).toList();
    }

    private ByteSequence key() {
        return store.key(NODES + self.name());
    }

    private void take() {
        lock.lock();
        try {
            String refused = tryTake();
            if (refused != null) throw new IllegalStateException(refused);
        } finally {
            lock.unlock();
        }
    }

    /**
     * One try at the name, and a second when the holder is this very agent before a crash (same host,
     * same data dir, whose lock this agent holds now, so the old one is gone): its lease is revoked
     * rather than waited out.
     * Null when taken, else why not.
     */
    private String tryTake() {
        for (int attempt = 0; attempt < 2; attempt++) {
            Granted taken = putUnderNewLease();
            long granted = taken.lease();
            TxnResponse r = taken.answer();
            if (r.isSucceeded()) {
                lease = granted;
                createRevision = r.getHeader().getRevision();
                keepAlive = store.client().getLeaseClient().keepAlive(lease, new Observer());
                store.awaitRevision(createRevision);
                return null;
            }
            revoke(granted);
            var holder = r.getGetResponses().stream().flatMap(g -> g.getKvs().stream()).findFirst().orElse(null);
            if (holder == null) continue; // gone meanwhile
            NodeRecord held = Json.read(holder.getValue().toString(StandardCharsets.UTF_8), NodeRecord.class);
            if (attempt == 0 && held.sameAgent(self.now())) {
                revoke(holder.getLease()); // this agent's own, left by a crash
                continue;
            }
            String at = held.address().api().isEmpty() ? "" : " (its API at " + held.address().api() + ", host " + held.host() + ")";
            return "node name " + self.name() + " is held by another agent" + at + "; stop that agent, or wait up to "
                    + ttl.toSeconds() + "s for its lease to end, or choose another --node-name";
        }
        return "node name " + self.name() + " could not be taken (held, released and taken again meanwhile)";
    }

    private record Granted(long lease, TxnResponse answer) {}

    /** How many leases are granted in a row when each runs out before the record is put under it. */
    private static final int LEASE_TRIES = 4;

    /**
     * A new lease, and the record put under it if the name is free. On a machine too busy to put the record
     * within the lease's TTL of its grant, etcd no longer knows the lease (NOT_FOUND): a new one is granted.
     */
    private Granted putUnderNewLease() {
        for (int tries = 1; ; tries++) {
            long granted = call(() -> store.client().getLeaseClient().grant(ttl.toSeconds())).getID();
            this.granted.accept(granted);
            try {
                return new Granted(granted, call(() -> store.client().getKVClient().txn()
                        .If(new Cmp(key(), Cmp.Op.EQUAL, CmpTarget.version(0)))
                        .Then(Op.put(key(), json(), PutOption.builder().withLeaseId(granted).build()))
                        .Else(Op.get(key(), GetOption.DEFAULT))
                        .commit()));
            } catch (StoreException e) {
                if (!notFound(e) || tries == LEASE_TRIES) throw e;
                System.err.println("steward: this node's new lease ran out before its record was put (a busy machine?); granting another");
            }
        }
    }

    /** Puts the record again under the lease, only while the key is still the one this node created. */
    private void refresh() {
        lock.lock();
        try {
            TxnResponse r = call(() -> store.client().getKVClient().txn()
                    .If(new Cmp(key(), Cmp.Op.EQUAL, CmpTarget.createRevision(createRevision)))
                    .Then(Op.put(key(), json(), PutOption.builder().withLeaseId(lease).build()))
                    .commit());
            if (r.isSucceeded()) return;
            System.err.println("steward: this node's lease ended (etcd away longer than " + ttl.toSeconds() + "s?); joining again");
            if (keepAlive != null) keepAlive.close();
            take();
        } finally {
            lock.unlock();
        }
    }

    private void refreshQuietly() {
        try {
            refresh();
        } catch (RuntimeException e) {
            System.err.println("steward: cannot refresh this node in the cluster: " + e.getMessage());
        }
    }

    /** Revokes a lease; one that has already run out (etcd says NOT_FOUND) is as good as revoked. */
    private void revoke(long id) {
        try {
            call(() -> store.client().getLeaseClient().revoke(id));
        } catch (StoreException e) {
            if (!notFound(e)) throw e;
        }
    }

    private static boolean notFound(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof io.grpc.StatusRuntimeException s && s.getStatus().getCode() == io.grpc.Status.Code.NOT_FOUND) return true;
            if (c instanceof io.etcd.jetcd.common.exception.EtcdException e && e.getErrorCode() == io.etcd.jetcd.common.exception.ErrorCode.NOT_FOUND) return true;
        }
        return false;
    }

    private ByteSequence json() {
        return ByteSequence.from(Json.write(self.now()), StandardCharsets.UTF_8);
    }

    private <T> T call(java.util.function.Supplier<java.util.concurrent.CompletableFuture<T>> attempt) {
        return store.call("this node's lease", attempt);
    }

    /** jetcd's keep-alive stream: a lease it cannot keep is taken again by the next refresh. */
    private final class Observer implements StreamObserver<LeaseKeepAliveResponse> {
        @Override
        public void onNext(LeaseKeepAliveResponse r) {
            // kept alive
        }

        @Override
        public void onError(Throwable t) {
            System.err.println("steward: keeping this node's lease alive failed: " + t.getMessage());
        }

        @Override
        public void onCompleted() {
            // the lease ended; refresh notices
        }
    }

    /** Leaves the cluster at once: the lease is revoked, so the node's key goes now rather than at its TTL. */
    @Override
    public void close() {
        if (refresh != null) refresh.cancel(false);
        lock.lock();
        try {
            if (keepAlive != null) keepAlive.close();
            revoke(lease);
        } catch (RuntimeException e) {
            System.err.println("steward: cannot leave the cluster cleanly (the lease ends in " + ttl.toSeconds() + "s): " + e.getMessage());
        } finally {
            lock.unlock();
        }
    }
}
