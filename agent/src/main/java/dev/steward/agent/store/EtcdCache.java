package dev.steward.agent.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/** The etcd store's local copy: raw keys to entries, and the revision the watch has brought it to. */
final class EtcdCache {
    private final ConcurrentSkipListMap<String, EtcdStore.Entry> entries = new ConcurrentSkipListMap<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition advanced = lock.newCondition();
    private long revision;

    EtcdStore.Entry get(String rawKey) {
        return entries.get(rawKey);
    }

    NavigableMap<String, EtcdStore.Entry> under(String rawPrefix) {
        return entries.subMap(rawPrefix, true, rawPrefix + Character.MAX_VALUE, false);
    }

    void set(String rawKey, EtcdStore.Entry e) {
        if (e == null) entries.remove(rawKey);
        else entries.put(rawKey, e);
    }

    /** Replaces everything with a fresh load at {@code at}; returns what differs from before. */
    List<EtcdStore.Change> replace(Map<String, EtcdStore.Entry> loaded, long at) {
        List<EtcdStore.Change> changes = new ArrayList<>();
        for (String k : entries.keySet()) {
            if (!loaded.containsKey(k)) changes.add(new EtcdStore.Change(k, null));
        }
        loaded.forEach((k, e) -> {
            EtcdStore.Entry old = entries.get(k);
            if (old == null || !Objects.equals(old.value(), e.value())) changes.add(new EtcdStore.Change(k, e.value()));
        });
        entries.keySet().retainAll(loaded.keySet());
        entries.putAll(loaded);
        advance(at);
        return changes;
    }

    /** The watch has delivered everything up to {@code at}. */
    void advance(long at) {
        lock.lock();
        try {
            if (at > revision) {
                revision = at;
                advanced.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Waits until the cache holds {@code at}: a write's own result is visible to its writer when the write returns. */
    void await(long at, EtcdCalls calls) {
        long deadline = System.nanoTime() + calls.timeout().toNanos();
        lock.lock();
        try {
            while (revision < at) {
                long left = deadline - System.nanoTime();
                if (left <= 0) throw calls.unavailable("the watch did not bring revision " + at + " (at " + revision + ")", null);
                advanced.await(left, TimeUnit.NANOSECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw calls.unavailable("interrupted", e);
        } finally {
            lock.unlock();
        }
    }
}
