package dev.steward.agent.gateway;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Recent latency per instance (time from the request sent to the response's head), as a moving
 * average that forgets: an instance not heard from for {@link #FORGET_NANOS} is unknown again, so a
 * slow instance gets another chance once it has rested. Written by the gateway's event loops.
 */
public final class Latencies {
    static final long FORGET_NANOS = 5_000_000_000L;
    private static final double WEIGHT = 0.3;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();

    private static final class Entry {
        volatile long average = -1;
        volatile long at;
    }

    public void record(String instance, long nanos, long now) {
        if ((++records & 0xFFFF) == 0) prune(now); // instances come and go: entries nobody records into are dropped
        Entry e = entries.computeIfAbsent(instance, k -> new Entry());
        long prior = e.average;
        e.average = prior < 0 ? nanos : (long) (prior + WEIGHT * (nanos - prior));
        e.at = now;
    }

    /** The recent latency, or -1 when unknown or forgotten. */
    public long recent(String instance, long now) {
        Entry e = entries.get(instance);
        if (e == null || now - e.at > FORGET_NANOS) return -1;
        return e.average;
    }

    private void prune(long now) {
        entries.values().removeIf(e -> now - e.at > FORGET_NANOS);
    }

    /** Counts records to prune now and then; racy increments only make that rarer or sooner. */
    private long records;
}
