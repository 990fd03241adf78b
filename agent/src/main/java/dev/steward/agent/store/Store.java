package dev.steward.agent.store;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A small key-value store with atomic batches: keys are paths such as {@code services/hello}, values
 * JSON text. The shape maps one to one on etcd for the cluster.
 */
public interface Store extends AutoCloseable {
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

    /** Deletes every key under {@code prefix}. */
    void deletePrefix(String prefix);

    @Override
    void close();
}
