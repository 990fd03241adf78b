package dev.steward.agent.isolate;

import java.io.IOException;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The plain process isolate: each instance in its own session and process group, appending its
 * stdout and stderr to its log file, its exit seen through a pidfd.
 */
public final class ProcessIsolate implements Isolate {
    private final ExitWatcher watcher;

    public ProcessIsolate(ExitWatcher watcher) {
        this.watcher = watcher;
    }

    @Override
    public String type() {
        return "process";
    }

    @Override
    public InstanceHandle spawn(SpawnRequest r) throws IOException {
        Files.createDirectories(r.log().getParent());
        Map<String, String> env = new HashMap<>(System.getenv());
        env.putAll(r.env());
        long pid = Spawner.spawn(r.command(), r.dir(), env, r.log());
        long ticks = ProcStat.read(pid).map(ProcStat::startTicks).orElse(0L);
        return new GroupHandle(pid, ticks, watcher.watch(pid, true), false);
    }

    @Override
    public Optional<InstanceHandle> adopt(long pid, long startTicks) {
        if (!ProcStat.same(pid, startTicks)) return Optional.empty();
        return Optional.of(new GroupHandle(pid, startTicks, watcher.watch(pid, false), true));
    }

    /** An instance that leads its own process group. */
    private record GroupHandle(long pid, long startTicks, CompletableFuture<ExitStatus> exit, boolean adopted)
            implements InstanceHandle {
        GroupHandle {
            // Whatever way the leader ends, nothing it started outlives it.
            exit.whenComplete((s, e) -> Signals.killGroup(pid));
        }

        @Override
        public void terminate() {
            Signals.terminateGroup(pid);
        }

        @Override
        public void kill() {
            Signals.killGroup(pid);
        }
    }
}
