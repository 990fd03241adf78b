package dev.steward.agent.gateway;

import java.util.ArrayDeque;

/**
 * The exchanges of one event loop waiting for a response head (their {@link Forwarding}s), checked
 * every {@link #TICK_MILLIS}: one that passed its route's timeout gets its 504. A sweep instead of a
 * timer per request (a timer is an allocation and two priority-queue operations on every request, for
 * what almost never fires). Owned by its event loop.
 */
final class HeadDeadlines {
    static final long TICK_MILLIS = 50;
    private final ArrayDeque<Forwarding> waiting = new ArrayDeque<>();

    /** {@code f} waits for a head from now; it is dropped from the watch once its {@link Forwarding#headDeadline} is 0. */
    void watch(Forwarding f) {
        waiting.add(f);
    }

    void sweep(long now) {
        for (int n = waiting.size(); n > 0; n--) {
            Forwarding f = waiting.poll();
            long deadline = f.headDeadline;
            if (deadline == 0) continue;
            if (now - deadline >= 0) f.timedOut();
            else waiting.add(f);
        }
    }
}
