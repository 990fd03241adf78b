package dev.steward.agent.traffic;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The first passed ping of a starting instance, told at once, from the ping's own thread, to the requests
 * held for its service: they go to it without waiting for the service's runner to apply the verdict and
 * publish the instance as ready (which it does all the same, a moment later). Only a verdict that makes an
 * instance ready by itself is told (a ping that needs one success). The one owner of the waiting lists.
 */
public final class Readiness {
    /** A request held for a service: takes the instance that just passed, or false when it no longer waits. */
    public interface Waiter {
        void passed(Endpoint e);
    }

    private final Map<String, Set<Waiter>> waiting = new ConcurrentHashMap<>();

    /** {@code w} waits for an instance of {@code service} to pass; it is told once at most, then forgotten. */
    public void await(String service, Waiter w) {
        waiting.computeIfAbsent(service, k -> ConcurrentHashMap.newKeySet()).add(w);
    }

    /** {@code w} no longer waits (the runner's readiness, or the hold's end, came first). */
    public void leave(String service, Waiter w) {
        Set<Waiter> s = waiting.get(service);
        if (s != null) s.remove(w);
    }

    /** An instance of {@code service} at {@code e} just passed its first ping: every request waiting for one is told. */
    public void passed(String service, Endpoint e) {
        Set<Waiter> s = waiting.get(service);
        if (s == null) return;
        for (Waiter w : s) {
            if (s.remove(w)) w.passed(e);
        }
    }

    /** How many wait for {@code service} (for tests). */
    public int waiting(String service) {
        Set<Waiter> s = waiting.get(service);
        return s == null ? 0 : s.size();
    }
}
