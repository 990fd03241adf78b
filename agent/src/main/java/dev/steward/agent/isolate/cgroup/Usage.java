package dev.steward.agent.isolate.cgroup;

/** What an instance uses: CPU time, memory now and at its peak, processes (-1 where unknown). */
public record Usage(long cpuNanos, long memoryBytes, long memoryPeakBytes, long pids) {
    public static final Usage UNKNOWN = new Usage(-1, -1, -1, -1);
}
