package dev.steward.agent.engine;

/**
 * How big the pool should be for the events waiting: it grows once the queue holds more than
 * {@code pool × grow-threshold} events, to {@code min(pool-limit, max(1, queue / grow-threshold))};
 * any waiting event gets at least one worker. Pure.
 */
final class PoolRule {
    private PoolRule() {}

    /** The workers to add to a pool of {@code pool} (starting ones included) for {@code queued} waiting events. */
    static int toSpawn(int queued, int pool, int growThreshold, int poolLimit) {
        if (queued == 0 || pool >= poolLimit) return 0;
        int threshold = Math.max(1, growThreshold);
        if (pool > 0 && queued <= (long) pool * threshold) return 0;
        int target = Math.min(poolLimit, Math.max(1, queued / threshold));
        return Math.max(0, target - pool);
    }
}
