package dev.steward.agent.isolate.os;

/** Sends signals to whole process groups. */
public final class Signals {
    private Signals() {}

    /** Signals every process in the group led by {@code pgid}; false when no such group is left. */
    public static boolean group(long pgid, int signal) {
        if (pgid <= 1) throw new IllegalArgumentException("pgid: " + pgid + " (expected: more than 1)");
        return LibC.INSTANCE.kill((int) -pgid, signal) == 0;
    }

    public static boolean terminateGroup(long pgid) {
        return group(pgid, LibC.SIGTERM);
    }

    public static boolean killGroup(long pgid) {
        return group(pgid, LibC.SIGKILL);
    }

    /** SIGKILLs one process (ProcessHandle.destroyForcibly cannot be relied on for processes the JDK did not start). */
    public static boolean kill(long pid) {
        return pid > 1 && LibC.INSTANCE.kill((int) pid, LibC.SIGKILL) == 0;
    }
}
