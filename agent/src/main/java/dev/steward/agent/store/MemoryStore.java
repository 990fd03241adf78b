package dev.steward.agent.store;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;

/** A store in memory, for tests and for custom runs that must leave nothing behind. */
public final class MemoryStore implements Store {
    private final TreeMap<String, String> data = new TreeMap<>();
    private final ReentrantLock lock = new ReentrantLock();

    @Override
    public Optional<String> get(String key) {
        lock.lock();
        try {
            return Optional.ofNullable(data.get(key));
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Map<String, String> list(String prefix) {
        lock.lock();
        try {
            return new LinkedHashMap<>(data.subMap(prefix, prefix + Character.MAX_VALUE));
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void apply(Map<String, String> puts, List<String> deletes) {
        lock.lock();
        try {
            deletes.forEach(data::remove);
            data.putAll(puts);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean compareAndApply(Map<String, Optional<String>> expected, Map<String, String> puts, List<String> deletes) {
        lock.lock();
        try {
            for (Map.Entry<String, Optional<String>> e : expected.entrySet()) {
                if (!Optional.ofNullable(data.get(e.getKey())).equals(e.getValue())) return false;
            }
            apply(puts, deletes);
            return true;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void deletePrefix(String prefix) {
        lock.lock();
        try {
            data.subMap(prefix, prefix + Character.MAX_VALUE).clear();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {}
}
