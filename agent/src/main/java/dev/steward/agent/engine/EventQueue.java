package dev.steward.agent.engine;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An app's events waiting for a worker: one queue in arrival order, and one per worker id for the
 * events pinned to that worker. Its depth counts them all, until they are taken, removed or dropped
 * because their clients have gone (those are counted as abandoned). Owned by the app's event loop.
 */
final class EventQueue {
    private static final long SWEEP_NANOS = 500_000_000L;
    private final ArrayDeque<Invocation> queue = new ArrayDeque<>();
    /** Never holds an empty queue. */
    private final Map<String, ArrayDeque<Invocation>> pinned = new HashMap<>();
    private int depth;
    private long abandoned;
    private long lastSweep;

    void add(Invocation inv) {
        if (inv.tagged()) pinned.computeIfAbsent(inv.tag, t -> new ArrayDeque<>()).add(inv);
        else queue.add(inv);
        depth++;
    }

    /** Puts {@code inv}, just taken, back at the head of its queue (the worker it was taken for could not have it). */
    void putBack(Invocation inv) {
        if (inv.tagged()) pinned.computeIfAbsent(inv.tag, t -> new ArrayDeque<>()).addFirst(inv);
        else queue.addFirst(inv);
        depth++;
    }

    /** Events waiting, pinned ones included. */
    int depth() {
        return depth;
    }

    /** Events waiting for any worker. */
    int untagged() {
        return queue.size();
    }

    /** The ids of the workers that events are pinned to. */
    List<String> tags() {
        return pinned.isEmpty() ? List.of() : List.copyOf(pinned.keySet());
    }

    /** Events dropped because their clients had gone. */
    long abandoned() {
        return abandoned;
    }

    /** The first event for any worker whose client is still there, or null; the ones before it are dropped. */
    Invocation take() {
        return takeFrom(queue);
    }

    /** The first event pinned to worker {@code tag} whose client is still there, or null. */
    Invocation take(String tag) {
        ArrayDeque<Invocation> q = pinned.get(tag);
        if (q == null) return null;
        Invocation inv = takeFrom(q);
        if (q.isEmpty()) pinned.remove(tag);
        return inv;
    }

    private Invocation takeFrom(ArrayDeque<Invocation> q) {
        for (Invocation inv; (inv = q.poll()) != null; ) {
            depth--;
            if (!inv.dropIfAbandoned()) return inv;
            abandoned++;
        }
        return null;
    }

    /** Takes {@code inv} out (its time ran out while it waited). */
    void remove(Invocation inv) {
        ArrayDeque<Invocation> q = inv.tagged() ? pinned.get(inv.tag) : queue;
        if (q == null || !q.remove(inv)) return;
        depth--;
        if (q.isEmpty() && inv.tagged()) pinned.remove(inv.tag);
    }

    /** Drops the events whose clients have gone; how many. */
    int dropAbandoned() {
        int before = depth;
        depth -= countRemoved(queue);
        for (ArrayDeque<Invocation> q : pinned.values()) depth -= countRemoved(q);
        pinned.values().removeIf(ArrayDeque::isEmpty);
        abandoned += before - depth;
        return before - depth;
    }

    /** Drops the events whose clients have gone, at most every half second, so that the depth counts only clients still there. */
    void sweep(long now) {
        if (depth > 0 && now - lastSweep > SWEEP_NANOS) {
            lastSweep = now;
            dropAbandoned();
        }
    }

    private static int countRemoved(ArrayDeque<Invocation> q) {
        int n = q.size();
        q.removeIf(Invocation::dropIfAbandoned);
        return n - q.size();
    }

    /** Empties the queue; what waited, for the caller to fail. */
    List<Invocation> clear() {
        List<Invocation> all = new ArrayList<>(queue);
        pinned.values().forEach(all::addAll);
        queue.clear();
        pinned.clear();
        depth = 0;
        return all;
    }
}
