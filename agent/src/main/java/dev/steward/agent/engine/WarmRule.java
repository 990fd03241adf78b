package dev.steward.agent.engine;

/**
 * What becomes of a worker without sessions, from how long it has been so: warm until
 * {@code keep-warm} has passed since its last reply, then paused; removed once paused for
 * {@code idle}. Pure.
 */
final class WarmRule {
    enum Action { KEEP, PAUSE, REMOVE }

    private WarmRule() {}

    /**
     * @param idleSince   when its last session ended (nanos)
     * @param pausedSince when it was paused (nanos), or -1 while it is not
     */
    static Action decide(long now, int load, long idleSince, long pausedSince, Warmth w) {
        if (load > 0 || !w.pauses()) return Action.KEEP;
        if (pausedSince >= 0) return now - pausedSince >= w.idle().toNanos() ? Action.REMOVE : Action.KEEP;
        return now - idleSince >= w.keepWarm().toNanos() ? Action.PAUSE : Action.KEEP;
    }

    /** Nanos from {@code now} until {@link #decide} may answer otherwise for a worker not paused and idle since {@code idleSince}. */
    static long untilPause(long now, long idleSince, Warmth w) {
        return Math.max(0, idleSince + w.keepWarm().toNanos() - now);
    }
}
