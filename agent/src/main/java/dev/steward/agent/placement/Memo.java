package dev.steward.agent.placement;

import dev.steward.agent.Json;
import java.util.HashMap;
import java.util.Map;

/**
 * Records parsed once while their text stays the same: a scheduling pass reads every node's record,
 * and most of them have not changed since the last pass. What a pass did not read is
 * forgotten at the next one. For the scheduler's own thread only.
 */
final class Memo<T> {
    private final Class<T> type;
    private Map<String, T> last = new HashMap<>();
    private Map<String, T> now = new HashMap<>();

    Memo(Class<T> type) {
        this.type = type;
    }

    /** A new pass: what the last one read is what may be reused. */
    void pass() {
        last = now;
        now = new HashMap<>();
    }

    T read(String raw) {
        T t = last.get(raw);
        if (t == null) t = now.get(raw);
        if (t == null) t = Json.read(raw, type);
        now.put(raw, t);
        return t;
    }
}
