package dev.steward.agent.gateway;

import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The connections being opened to each instance, bounded ({@code route.max-connecting}): a connection counts from
 * its open until the instance answers on it (or {@link #COUNTS_FOR_NANOS} passes, so that slow answers do not
 * stop new connections for long). An exchange that needs a new connection past the bound waits here, in
 * order, and gets the place of the next one that stops counting, on its own event loop. A burst of held
 * requests thus reaches a program at the pace it accepts connections, instead of overflowing its listen
 * backlog (where the kernel drops what does not fit and the client's connection hangs for seconds).
 *
 * <p>Shared by the event loops: each instance's count and queue are guarded by its {@link Gate}'s lock.
 */
final class Opening {
    /** How long a new connection counts at most, answered or not. */
    static final long COUNTS_FOR_NANOS = 100_000_000L;
    private final Map<String, Gate> gates = new ConcurrentHashMap<>();

    /** One instance's count and waiting exchanges; retired (and replaced in the map) once nothing counts or waits. */
    private static final class Gate {
        int opening;
        boolean retired;
        final ArrayDeque<ServiceCall> waiting = new ArrayDeque<>(0);
    }

    /** Takes a place for a new connection to {@code instance}; false when {@code limit} are being opened ({@code call} then waits). */
    boolean take(String instance, int limit, ServiceCall call) {
        while (true) {
            Gate g = gates.computeIfAbsent(instance, k -> new Gate());
            synchronized (g) {
                if (g.retired) continue;
                if (g.opening < limit) {
                    g.opening++;
                    return true;
                }
                g.waiting.add(call);
                return false;
            }
        }
    }

    /** Gives a place back: to the first exchange waiting for one (on its event loop), else to no one. */
    void release(String instance) {
        Gate g = gates.get(instance);
        if (g == null) return;
        ServiceCall next;
        synchronized (g) {
            next = g.waiting.poll();
            if (next == null && --g.opening <= 0) {
                g.retired = true;
                gates.remove(instance, g);
            }
        }
        if (next != null) dev.steward.agent.net.Loops.post(next.x.loop, () -> next.admitted(instance));
    }

    /** A waiting exchange leaves; false when it was handed a place meanwhile (it gives it on when that arrives). */
    boolean leave(String instance, ServiceCall call) {
        Gate g = gates.get(instance);
        if (g == null) return false;
        synchronized (g) {
            return g.waiting.remove(call);
        }
    }
}
