package dev.steward.agent.store;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BiConsumer;

/**
 * The cluster's store: every key under a root ({@code /steward/}) in etcd, read from a local cache
 * that one watch keeps current. The cache is loaded once, and the watch starts at the revision after
 * that load, so no change falls between. A write is one transaction; once etcd committed it, the call
 * returns after the watch has brought the cache to that revision, so a reader sees its own writes.
 * {@link #compareAndApply} compares each expected key's mod revision, as the cache knows it.
 *
 * <p>Keys under the {@link Layout}'s local prefixes (instance records and other machine-local state)
 * are kept under {@code local/NODE/}, so that nodes never see or touch each other's.
 */
public final class EtcdStore implements Store {
    /** One cached key: its value and the revision that last changed it. */
    record Entry(String value, long modRevision) {}

    private final Client client;
    private final Layout layout;
    private final ByteSequence root;
    private final EtcdCache cache = new EtcdCache();
    private final List<Subscription> subscriptions = new CopyOnWriteArrayList<>();
    private final ExecutorService notifier = Executors.newSingleThreadExecutor(Thread.ofVirtual().name("steward-etcd-watch").factory());
    private final EtcdCalls calls;
    private volatile io.etcd.jetcd.Watch.Watcher watcher;
    private volatile boolean closed;

    /** A listener of the keys under {@code prefix}: store keys, or raw keys (every node's) when {@code raw}. */
    private record Subscription(String prefix, boolean raw, BiConsumer<String, Optional<String>> listener) {}

    /** Connects to {@code endpoints}, loads every key under the root and starts watching; throws when etcd cannot be reached. */
    public EtcdStore(List<String> endpoints, Layout layout) {
        this(endpoints, null, layout);
    }

    /** As above, over TLS with the cluster's CA and this node's pair when {@code tls} is given. */
    public EtcdStore(List<String> endpoints, dev.steward.agent.tls.ClusterTls tls, Layout layout) {
        this.layout = layout;
        this.root = bytes(layout.root());
        EtcdProbe.check(endpoints, tls);
        this.client = client(endpoints, tls);
        this.calls = new EtcdCalls(endpoints, tls != null);
        try {
            load(EtcdCalls.FIRST);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private static Client client(List<String> endpoints, dev.steward.agent.tls.ClusterTls tls) {
        var b = Client.builder().endpoints(endpoints.toArray(String[]::new)).connectTimeout(java.time.Duration.ofSeconds(3));
        if (tls != null) {
            try {
                b.sslContext(tls::configure);
            } catch (javax.net.ssl.SSLException e) {
                throw new IllegalArgumentException("--cluster-cert: cannot be used for TLS: " + e.getMessage(), e);
            }
        }
        return b.build();
    }

    /** The jetcd client, for the cluster's own use of leases (membership). */
    public Client client() {
        return client;
    }

    public Layout layout() {
        return layout;
    }

    /** Every key under the root as etcd holds it ({@code nodes/a}, {@code local/a/instances/...}), from the cache. */
    public Map<String, String> listRaw(String rawPrefix) {
        Map<String, String> out = new LinkedHashMap<>();
        cache.under(rawPrefix).forEach((k, e) -> out.put(k, e.value()));
        return out;
    }

    /** The revision that last changed {@code rawKey}, as the cache knows it; 0 when absent. */
    public long modRevision(String rawKey) {
        Entry e = cache.get(rawKey);
        return e == null ? 0 : e.modRevision();
    }

    /** Waits for one of etcd's answers, through the same timeouts and failures as the store's own calls. */
    public <T> T call(String what, java.util.function.Supplier<java.util.concurrent.CompletableFuture<T>> attempt) {
        return calls.call(what, attempt);
    }

    /** Why etcd is away, as the last call found; empty while it answers. */
    @Override
    public Optional<String> unavailable() {
        return calls.unavailable();
    }

    /** Runs {@code r}, on a thread of its own, each time etcd answers again after it was away. */
    public void onReturn(Runnable r) {
        calls.onReturn(r);
    }

    /** The key as etcd holds it, root included. */
    public ByteSequence key(String rawKey) {
        return bytes(layout.root() + rawKey);
    }

    /** Waits until the cache holds revision {@code revision} (after a write made through the client directly). */
    public void awaitRevision(long revision) {
        cache.await(revision, calls);
    }

    @Override
    public Optional<String> get(String key) {
        return Optional.ofNullable(cache.get(layout.raw(key))).map(Entry::value);
    }

    @Override
    public Map<String, String> list(String prefix) {
        String raw = layout.raw(prefix);
        Map<String, String> out = new LinkedHashMap<>();
        cache.under(raw).forEach((k, e) -> out.put(prefix + k.substring(raw.length()), e.value()));
        return out;
    }

    @Override
    public void apply(Map<String, String> puts, List<String> deletes) {
        commit(List.of(), puts, deletes);
    }

    @Override
    public boolean compareAndApply(Map<String, Optional<String>> expected, Map<String, String> puts, List<String> deletes) {
        return compareAndApplyAll(List.of(new Batch(expected, puts, deletes))).get(0);
    }

    /** One transaction's worth of {@link #compareAndApply}: the keys as read, what is put and what is deleted. */
    public record Batch(Map<String, Optional<String>> expected, Map<String, String> puts, List<String> deletes) {}

    /**
     * Several {@link #compareAndApply} transactions sent to etcd at once, each compared on its own keys (so
     * they should not share keys that change); returns, in order, whether each was applied. Returns once
     * the cache holds every one applied, waiting for the watch once rather than after each.
     */
    public List<Boolean> compareAndApplyAll(List<Batch> batches) {
        List<java.util.concurrent.Future<TxnResponse>> sent = new ArrayList<>();
        List<List<Cmp>> compared = new ArrayList<>();
        try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (Batch b : batches) {
                List<Cmp> cmps = compares(b.expected());
                compared.add(cmps);
                sent.add(cmps == null ? java.util.concurrent.CompletableFuture.completedFuture(null)
                        : threads.submit(() -> send(cmps, b.puts(), b.deletes())));
            }
        }
        List<Boolean> out = new ArrayList<>();
        long newest = 0;
        for (int i = 0; i < batches.size(); i++) {
            TxnResponse r;
            try {
                r = sent.get(i).get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw calls.unavailable("interrupted", e);
            } catch (java.util.concurrent.ExecutionException e) {
                if (e.getCause() instanceof RuntimeException re) throw re;
                throw new StoreException("write: " + e.getCause(), e.getCause());
            }
            Batch b = batches.get(i);
            boolean applied = compared.get(i) != null && (r == null || r.isSucceeded()); // no transaction: the cache said no, or nothing to do
            out.add(applied);
            if (r != null && r.isSucceeded() && (!b.puts().isEmpty() || r.getDeleteResponses().stream().anyMatch(d -> d.getDeleted() > 0))) {
                newest = Math.max(newest, r.getHeader().getRevision());
            }
        }
        if (newest > 0) cache.await(newest, calls);
        return out;
    }

    /** The compares of each expected key's mod revision as cached (absent: version 0); null when the cache already says no. */
    private List<Cmp> compares(Map<String, Optional<String>> expected) {
        List<Cmp> cmps = new ArrayList<>();
        for (Map.Entry<String, Optional<String>> e : expected.entrySet()) {
            String raw = layout.raw(e.getKey());
            Entry cached = cache.get(raw);
            if (!Optional.ofNullable(cached).map(Entry::value).equals(e.getValue())) return null;
            cmps.add(cached == null
                    ? new Cmp(key(raw), Cmp.Op.EQUAL, CmpTarget.version(0))
                    : new Cmp(key(raw), Cmp.Op.EQUAL, CmpTarget.modRevision(cached.modRevision())));
        }
        return cmps;
    }

    @Override
    public void deletePrefix(String prefix) {
        Op op = Op.delete(key(layout.raw(prefix)), DeleteOption.builder().isPrefix(true).build());
        TxnResponse r = calls.call("delete " + prefix, () -> client.getKVClient().txn().Then(op).commit());
        if (r.getDeleteResponses().stream().anyMatch(d -> d.getDeleted() > 0)) cache.await(r.getHeader().getRevision(), calls);
    }

    @Override
    public AutoCloseable watch(String prefix, BiConsumer<String, Optional<String>> listener) {
        return subscribe(new Subscription(prefix, false, listener));
    }

    /** As {@link #watch}, for raw keys under {@code rawPrefix}: every node's local keys too ({@code local/b/instances/...}). */
    public AutoCloseable watchRaw(String rawPrefix, BiConsumer<String, Optional<String>> listener) {
        return subscribe(new Subscription(rawPrefix, true, listener));
    }

    private AutoCloseable subscribe(Subscription s) {
        subscriptions.add(s);
        return () -> subscriptions.remove(s);
    }

    /** One transaction: the compares, then every delete and put; refused when it holds more than etcd takes. */
    private boolean commit(List<Cmp> cmps, Map<String, String> puts, List<String> deletes) {
        TxnResponse r = send(cmps, puts, deletes);
        if (r == null) return true;
        if (!r.isSucceeded()) return false;
        boolean changed = !puts.isEmpty() || r.getDeleteResponses().stream().anyMatch(d -> d.getDeleted() > 0);
        if (changed) cache.await(r.getHeader().getRevision(), calls);
        return true;
    }

    /** Sends one transaction and returns etcd's answer, without waiting for the cache; null when there is nothing to do. */
    private TxnResponse send(List<Cmp> cmps, Map<String, String> puts, List<String> deletes) {
        int ops = puts.size() + deletes.size();
        if (ops > MAX_BATCH) {
            throw new StoreException("a batch of " + ops + " changes is more than one etcd transaction takes (" + MAX_BATCH
                    + "); nothing was written", null);
        }
        if (ops == 0) return null;
        List<Op> then = new ArrayList<>();
        deletes.forEach(k -> then.add(Op.delete(key(layout.raw(k)), DeleteOption.DEFAULT)));
        puts.forEach((k, v) -> then.add(Op.put(key(layout.raw(k)), bytes(v), PutOption.DEFAULT)));
        return calls.call("write", () -> client.getKVClient().txn().If(cmps.toArray(Cmp[]::new)).Then(then.toArray(Op[]::new)).commit());
    }

    /** Loads everything under the root, then watches from the next revision. */
    private void load(java.time.Duration wait) {
        GetResponse all = calls.call("load", () -> client.getKVClient().get(root, GetOption.builder().isPrefix(true).build()), wait);
        Map<String, Entry> loaded = new LinkedHashMap<>();
        for (KeyValue kv : all.getKvs()) loaded.put(raw(kv), new Entry(text(kv.getValue()), kv.getModRevision()));
        long revision = all.getHeader().getRevision();
        List<Change> changes = cache.replace(loaded, revision);
        notifyAll(changes);
        var options = io.etcd.jetcd.options.WatchOption.builder().isPrefix(true).withRevision(revision + 1).build();
        watcher = client.getWatchClient().watch(root, options, io.etcd.jetcd.Watch.listener(this::changed, this::failed));
    }

    private void changed(WatchResponse response) {
        List<Change> changes = new ArrayList<>();
        long last = 0;
        for (WatchEvent ev : response.getEvents()) {
            KeyValue kv = ev.getKeyValue();
            String k = raw(kv);
            long revision = kv.getModRevision();
            Entry e = ev.getEventType() == WatchEvent.EventType.DELETE ? null : new Entry(text(kv.getValue()), revision);
            cache.set(k, e);
            changes.add(new Change(k, e == null ? null : e.value()));
            last = Math.max(last, revision);
        }
        cache.advance(Math.max(last, response.getHeader().getRevision()));
        notifyAll(changes);
    }

    /** A watch that fails (etcd compacted past it, or it lost its stream for good) is started again after a fresh load. */
    private void failed(Throwable t) {
        if (closed) return;
        System.err.println("steward: the etcd watch failed (" + t.getMessage() + "); loading again");
        if (watcher != null) watcher.close();
        Thread.ofVirtual().name("steward-etcd-reload").start(() -> {
            while (!closed) {
                try {
                    load(calls.timeout());
                    return;
                } catch (RuntimeException e) {
                    try {
                        Thread.sleep(1000);
                    } catch (InterruptedException stop) {
                        return;
                    }
                }
            }
        });
    }

    /** A change of one raw key: its new value, or null when deleted. */
    record Change(String rawKey, String value) {}

    private void notifyAll(List<Change> changes) {
        if (changes.isEmpty() || subscriptions.isEmpty()) return;
        notifier.execute(() -> {
            for (Change c : changes) {
                String logical = layout.logical(c.rawKey());
                for (Subscription s : subscriptions) {
                    String key = s.raw() ? c.rawKey() : logical;
                    if (key == null || !key.startsWith(s.prefix())) continue;
                    try {
                        s.listener().accept(key, Optional.ofNullable(c.value()));
                    } catch (RuntimeException e) {
                        System.err.println("steward: a watcher of " + s.prefix() + " failed on " + key + ": " + e);
                    }
                }
            }
        });
    }

    private String raw(KeyValue kv) {
        return text(kv.getKey()).substring(layout.root().length());
    }

    static ByteSequence bytes(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }

    static String text(ByteSequence b) {
        return b.toString(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        closed = true;
        if (watcher != null) watcher.close();
        notifier.shutdown();
        client.close();
    }
}
