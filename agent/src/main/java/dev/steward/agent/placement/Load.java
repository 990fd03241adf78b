package dev.steward.agent.placement;

import dev.steward.agent.cluster.NodeRecord;
import dev.steward.model.Resources;

/** What is assigned to one node so far: resources requested and instances, against what it has in all. */
final class Load {
    private final NodeRecord.Resources total;
    private double cpu;
    private long memory;
    private long pids;
    private int instances;

    Load(NodeRecord.Resources total) {
        this.total = total;
    }

    void add(Resources each, int count) {
        cpu += each.cpu() * count;
        memory += each.memoryBytes() * count;
        pids += (long) each.pids() * count;
        instances += count;
    }

    /** Whether one more instance needing {@code each} fits in what is left. */
    boolean fits(Resources each) {
        return (each.cpu() <= 0 || each.cpu() <= freeCpu() + 1e-9)
                && (each.memoryBytes() <= 0 || each.memoryBytes() <= freeMemory())
                && (each.pids() <= 0 || each.pids() <= freePids());
    }

    double freeCpu() {
        return Math.max(0, total.cpu() - cpu);
    }

    long freeMemory() {
        return Math.max(0, total.memory() - memory);
    }

    long freePids() {
        return Math.max(0, total.pids() - pids);
    }

    int instances() {
        return instances;
    }
}
