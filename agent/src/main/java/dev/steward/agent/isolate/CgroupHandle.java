package dev.steward.agent.isolate;

import dev.steward.agent.isolate.os.LibC;
import dev.steward.agent.isolate.os.Signals;
import dev.steward.agent.isolate.cgroup.Cgroup;
import dev.steward.agent.isolate.cgroup.Usage;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;

/**
 * An instance tracked by its cgroup, as systemd tracks a unit: whatever its processes do with their
 * sessions and groups, they stay in the cgroup. Stopping signals every one of them, pausing freezes
 * them, usage is the group's, and when the tracked process ends nothing else of the group survives.
 */
class CgroupHandle extends TrackedHandle {
    private final Cgroup cg;

    CgroupHandle(long pid, long startTicks, Cgroup cg, InstanceCgroups groups, CompletableFuture<ExitStatus> raw, boolean adopted) {
        // When it ends: nothing left in the group, the cause named when it was the memory limit, the group removed.
        super(pid, startTicks, raw.thenApply(status -> {
            long ooms = cg.oomKills();
            Signals.killGroup(pid);
            groups.release(cg);
            return ooms > 0 ? new ExitStatus.OutOfMemory(status) : status;
        }), adopted);
        this.cg = cg;
    }

    /** SIGTERM to the instance's process group and to every process in its cgroup (thawed first, so that they can act on it). */
    @Override
    public void terminate() {
        thaw();
        Signals.terminateGroup(pid());
        cg.pids().forEach(p -> LibC.INSTANCE.kill(p.intValue(), LibC.SIGTERM));
    }

    /** The process group covers the moments before the processes have joined the cgroup; the cgroup covers the rest. */
    @Override
    public void kill() {
        Signals.killGroup(pid());
        cg.killAll();
    }

    @Override
    public void pause() throws IOException {
        cg.freeze();
    }

    @Override
    public void resume() throws IOException {
        cg.thaw();
    }

    @Override
    public Usage usage() {
        return cg.usage();
    }

    final void thaw() {
        try {
            cg.thaw();
        } catch (IOException ignored) {
            // not frozen
        }
    }
}
