package dev.steward.agent.store;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;

/**
 * A small key-value store with atomic batches: keys are paths such as {@code services/hello}, values
 * JSON text. The shape maps one to one on etcd for the cluster: a batch is one transaction there, and
 * {@link #compareAndApply} one transaction comparing the keys' revisions.
 */
public interface Store extends AutoCloseable {
    /** The most puts and deletes one batch may hold: etcd's default limit of operations per transaction. */
    int MAX_BATCH = 128;

    Optional<String> get(String key);

    /** Every key under {@code prefix}, in key order. */
    Map<String, String> list(String prefix);

    default void put(String key, String value) {
        apply(Map.of(key, value), List.of());
    }

    default void delete(String key) {
        apply(Map.of(), List.of(key));
    }

    /** Applies all puts and deletes at once or none of them. */
    void apply(Map<String, String> puts, List<String> deletes);

    /**
     * Applies all puts and deletes at once, but only when every key in {@code expected} still holds
     * the value given there (empty: the key is absent); false, and nothing changed, otherwise. This is
     * how a write that depends on what was read is made: read, decide, compare-and-apply, retry or refuse.
     */
    boolean compareAndApply(Map<String, Optional<String>> expected, Map<String, String> puts, List<String> deletes);

    /** Puts {@code value} only when {@code key} is absent; false when it exists. */
    default boolean putIfAbsent(String key, String value) {
        return compareAndApply(Map.of(key, Optional.empty()), Map.of(key, value), List.of());
    }

    /**
     * Calls {@code listener} with each key under {@code prefix} that another writer changed (its new
     * value, or empty when deleted), in order, off the writer's thread. Only a shared store (etcd) has
     * other writers; the embedded stores never call it.
     */
    default AutoCloseable watch(String prefix, BiConsumer<String, Optional<String>> listener) {
        return () -> { };
    }

    /** Why the store cannot take writes now (a cluster's etcd away); empty when it can. The embedded stores always can. */
    default Optional<String> unavailable() {
        return Optional.empty();
    }

    /** Deletes every key under {@code prefix}. */
    void deletePrefix(String prefix);

    @Override
    void close();
}
