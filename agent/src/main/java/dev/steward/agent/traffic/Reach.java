package dev.steward.agent.traffic;

import java.util.List;

/**
 * What the data plane reaches beyond this node: the ready instances other nodes run, the round trip to
 * each node, and asks for one more instance. Every method may be called on an event loop: reads are of
 * published snapshots, and an ask is handed to a thread of its own.
 */
public interface Reach {
    /** An agent alone: nothing beyond it. */
    Reach NONE = new Reach() {
        @Override
        public List<Endpoint> elsewhere(String service) {
            return List.of();
        }

        @Override
        public long rttNanos(String node) {
            return -1;
        }

        @Override
        public boolean ask(String service) {
            return false;
        }
    };

    /** The ready instances of {@code service} on other live nodes. */
    List<Endpoint> elsewhere(String service);

    /** The recent round trip to {@code node} (the median of the last probes), or -1 when not known. */
    long rttNanos(String node);

    /**
     * No instance of {@code service} is under its soft latency (or none is ready anywhere): asks the
     * cluster's scheduler for one more, on the nearest node with room. One ask per service at a time;
     * false when there is no cluster to ask.
     */
    boolean ask(String service);
}
