package dev.steward.agent.placement;

import dev.steward.agent.store.EtcdStore;
import dev.steward.agent.store.StoreException;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.election.CampaignResponse;
import io.etcd.jetcd.election.LeaderKey;
import io.etcd.jetcd.lease.LeaseKeepAliveResponse;
import io.etcd.jetcd.support.CloseableClient;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * This node's campaign for the one scheduler, through etcd's election API: a lease of the cluster's
 * TTL kept alive by jetcd, and under it a key {@code election/scheduler/LEASE} whose value is the node's
 * name; etcd makes the holder of the oldest such key the leader. A leader whose lease ends (its agent
 * killed, or cut off from etcd) loses its key, and the next candidate is elected.
 */
final class Election {
    static final String NAME = "election/scheduler";
    private final EtcdStore store;
    private final String node;
    private final Duration ttl;
    private final ByteSequence name;
    private long lease;
    private CloseableClient keepAlive;
    private volatile CompletableFuture<CampaignResponse> campaign;

    Election(EtcdStore store, String node, Duration ttl) {
        this.store = store;
        this.node = node;
        this.ttl = ttl;
        this.name = store.key(NAME);
    }

    /** Waits until this node leads; returns its leader key as the store names it ({@code election/scheduler/...}). */
    String campaign() throws InterruptedException {
        lease = store.call("the scheduler's lease", () -> store.client().getLeaseClient().grant(ttl.toSeconds())).getID();
        keepAlive = store.client().getLeaseClient().keepAlive(lease, new Quiet());
        campaign = store.client().getElectionClient().campaign(name, lease, ByteSequence.from(node, StandardCharsets.UTF_8));
        try {
            CampaignResponse won = campaign.get();
            store.awaitRevision(won.getHeader().getRevision());
            LeaderKey key = won.getLeader();
            return key.getKey().toString(StandardCharsets.UTF_8).substring(store.layout().root().length());
        } catch (ExecutionException e) {
            end();
            throw new StoreException("campaign for the scheduler failed: " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            campaign.cancel(true);
            end();
            throw e;
        }
    }

    /**
     * The node that leads now, if any, from the store's cache (no call to etcd, so it is known while etcd
     * is away): the candidate whose key is the oldest, as etcd's election has it. Candidates' keys are
     * written once (nothing proclaims), so their last change is their creation.
     */
    Optional<String> leader() {
        return store.listRaw(NAME + "/").entrySet().stream()
                .min(java.util.Comparator.comparingLong((java.util.Map.Entry<String, String> e) -> store.modRevision(e.getKey())))
                .map(java.util.Map.Entry::getValue).filter(s -> !s.isEmpty());
    }

    /** Gives up the lead or the candidacy at once: the lease is revoked, so its key goes with it. */
    void end() {
        if (keepAlive != null) keepAlive.close();
        keepAlive = null;
        if (lease == 0) return;
        try {
            store.client().getLeaseClient().revoke(lease).get(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // it ends at its TTL
        }
        lease = 0;
    }

    /** jetcd's keep-alive stream; a lease it cannot keep ends, and the scheduler sees its key go. */
    private static final class Quiet implements StreamObserver<LeaseKeepAliveResponse> {
        @Override
        public void onNext(LeaseKeepAliveResponse r) {
            // kept alive
        }

        @Override
        public void onError(Throwable t) {
            // the key goes at the TTL; the scheduler notices
        }

        @Override
        public void onCompleted() {
            // as above
        }
    }
}
