package dev.steward.agent.isolate;

import dev.steward.agent.isolate.cgroup.Usage;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A mock driver: spawns nothing, remembers every request, and lets the test decide how each
 * instance ends. A terminate ends it with SIGTERM at once (unless told to ignore it); a kill with SIGKILL.
 */
public final class FakeIsolate implements Isolate {
    public final List<Fake> spawned = new CopyOnWriteArrayList<>();
    /** Makes the next spawns fail with this message (null: succeed). */
    public volatile String failSpawns;
    /** Instances ignore SIGTERM (they must be killed after the grace). */
    public volatile boolean ignoreTerm;
    /** While set, spawns wait until it is counted down (an instance stays starting). */
    public volatile java.util.concurrent.CountDownLatch holdSpawns;
    private long pids = 1000;

    /** One fake instance. */
    public final class Fake implements InstanceHandle {
        public final SpawnRequest request;
        public final long pid;
        public final CompletableFuture<ExitStatus> exit = new CompletableFuture<>();
        public volatile boolean terminated;
        public volatile boolean paused;

        Fake(SpawnRequest request, long pid) {
            this.request = request;
            this.pid = pid;
        }

        public void crash(int code) {
            exit.complete(new ExitStatus.Code(code));
        }

        @Override public long pid() { return pid; }
        @Override public long startTicks() { return pid; }
        @Override public boolean running() { return false; } // no threads of its own
        @Override public CompletableFuture<ExitStatus> exit() { return exit; }
        @Override public boolean adopted() { return false; }
        @Override public void pause() { paused = true; }
        @Override public void resume() { paused = false; }
        @Override public Usage usage() { return Usage.UNKNOWN; }

        @Override
        public void terminate() {
            terminated = true;
            if (!ignoreTerm) exit.complete(new ExitStatus.Signal(15));
        }

        @Override
        public void kill() {
            exit.complete(new ExitStatus.Signal(9));
        }
    }

    @Override
    public String type() {
        return "process";
    }

    @Override
    public InstanceHandle spawn(SpawnRequest request) throws java.io.IOException {
        var hold = holdSpawns;
        if (hold != null) {
            try {
                hold.await();
            } catch (InterruptedException e) {
                throw new java.io.IOException("interrupted");
            }
        }
        return made(request);
    }

    private synchronized InstanceHandle made(SpawnRequest request) throws java.io.IOException {
        if (failSpawns != null) throw new java.io.IOException(failSpawns);
        Fake f = new Fake(request, ++pids);
        spawned.add(f);
        return f;
    }

    @Override
    public Optional<InstanceHandle> adopt(String service, String instance, long pid, long startTicks, Path log) {
        return spawned.stream().filter(f -> f.pid == pid && !f.exit.isDone()).map(f -> (InstanceHandle) f).findFirst();
    }

    /** The instances not yet ended. */
    public List<Fake> alive() {
        return spawned.stream().filter(f -> !f.exit.isDone()).toList();
    }
}
