package dev.steward.agent.isolate;

import java.util.concurrent.CompletableFuture;

/** A running instance as its isolate sees it. */
public interface InstanceHandle {
    long pid();

    /** The process start time in clock ticks after boot; with the pid it names the process for adoption. */
    long startTicks();

    /** Completes once when the instance has ended, with how it ended. */
    CompletableFuture<ExitStatus> exit();

    /** Asks the instance to stop (SIGTERM to its whole group). */
    void terminate();

    /** Ends the instance and everything it started (SIGKILL to its whole group). */
    void kill();

    /** Whether this handle was adopted after an agent restart rather than spawned. */
    boolean adopted();

    /** Stops every process of the instance where it is, without ending them. */
    void pause() throws java.io.IOException;

    /** How {@link #pause} stops it: "cgroup freezer", or "SIGSTOP" where it has no cgroup. */
    default String pausing() {
        return "cgroup freezer";
    }

    /** Lets a paused instance go on. */
    void resume() throws java.io.IOException;

    /**
     * Whether a thread of its process is on a CPU or waiting for one now (state R in {@code /proc/PID/task/TID/stat}):
     * it is at work of its own (a JIT compiling, a warm-up) though it serves nothing. Its children are not looked at.
     */
    default boolean running() {
        return Threads.anyRunning(pid());
    }

    /** What the instance uses now. */
    dev.steward.agent.isolate.cgroup.Usage usage();
}
