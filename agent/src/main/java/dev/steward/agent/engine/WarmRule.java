package dev.steward.agent.engine;

/**
 * What becomes of a worker without sessions, from how long it has been so: warm until
 * {@code keep-warm} has passed since its last reply, then paused (once it is quiet: not while it runs on its own, up to
 * a limit); removed once paused for {@code idle}. Pure.
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

    /** How many times a worker due to be paused is looked at for a thread that runs (1 ms apart) before it is. */
    static final int QUIET_LOOKS = 3;
    /** The longest after its last reply that a worker busy on its own is left warm before it is paused anyway. */
    static final long QUIET_LIMIT_NANOS = 3_000_000_000L;

    /** Whether a worker idle since {@code idleSince} and busy on its own is left warm longer, or paused anyway. */
    static boolean waitForQuiet(long now, long idleSince) {
        return now - idleSince < QUIET_LIMIT_NANOS;
    }

    /** Nanos from {@code now} until {@link #decide} may answer otherwise for a worker not paused and idle since {@code idleSince}. */
    static long untilPause(long now, long idleSince, Warmth w) {
        return Math.max(0, idleSince + w.keepWarm().toNanos() - now);
    }
}
