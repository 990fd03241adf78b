package dev.steward.agent.isolate;

import java.util.concurrent.CompletableFuture;

/** What every handle knows: the tracked pid and its start time, how it ends, and whether it was adopted. */
abstract class TrackedHandle implements InstanceHandle {
    private final long pid;
    private final long startTicks;
    private final CompletableFuture<ExitStatus> exit;
    private final boolean adopted;

    TrackedHandle(long pid, long startTicks, CompletableFuture<ExitStatus> exit, boolean adopted) {
        this.pid = pid;
        this.startTicks = startTicks;
        this.exit = exit;
        this.adopted = adopted;
    }

    @Override
    public long pid() {
        return pid;
    }

    @Override
    public long startTicks() {
        return startTicks;
    }

    @Override
    public CompletableFuture<ExitStatus> exit() {
        return exit;
    }

    @Override
    public boolean adopted() {
        return adopted;
    }
}
