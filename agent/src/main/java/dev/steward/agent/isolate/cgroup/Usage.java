package dev.steward.agent.isolate.cgroup;

import com.fasterxml.jackson.annotation.JsonInclude;

/** What an instance uses: CPU time, memory now and at its peak, processes (-1 where unknown, and then left out of JSON). */
@JsonInclude(value = JsonInclude.Include.CUSTOM, valueFilter = Usage.Unknown.class)
public record Usage(long cpuNanos, long memoryBytes, long memoryPeakBytes, long pids) {
    public static final Usage UNKNOWN = new Usage(-1, -1, -1, -1);

    /** Jackson's filter: a measure below zero is not known, and not written. */
    static final class Unknown {
        @Override
        public boolean equals(Object value) {
            return value instanceof Long n && n < 0;
        }

        @Override
        public int hashCode() {
            return 0;
        }
    }
}
