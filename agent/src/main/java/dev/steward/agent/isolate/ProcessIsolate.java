package dev.steward.agent.isolate;

import dev.steward.agent.isolate.cgroup.Usage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The plain process isolate: each instance in its own session and process group, appending its
 * stdout and stderr to its log file, its exit seen through a pidfd.
 */
public final class ProcessIsolate implements Isolate {
    private static final long TICK_NANOS = 10_000_000L;
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
        long pid = Spawner.spawn(r.command(), r.dir(), environment(r), r.log());
        long ticks = ProcStat.read(pid).map(ProcStat::startTicks).orElse(0L);
        return new GroupHandle(pid, ticks, watcher.watch(pid, true), false);
    }

    /** The agent's environment with the request's on top; the log's directory made. */
    static Map<String, String> environment(SpawnRequest r) throws IOException {
        Files.createDirectories(r.log().getParent());
        Map<String, String> env = new HashMap<>(System.getenv());
        env.putAll(r.env());
        return env;
    }

    @Override
    public Optional<InstanceHandle> adopt(String service, String instance, long pid, long startTicks, java.nio.file.Path log) {
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
            Signals.group(pid, LibC.SIGCONT);
            Signals.terminateGroup(pid);
        }

        @Override
        public void kill() {
            Signals.killGroup(pid);
        }

        @Override
        public void pause() {
            Signals.group(pid, LibC.SIGSTOP);
        }

        @Override
        public void resume() {
            Signals.group(pid, LibC.SIGCONT);
        }

        @Override
        public Usage usage() {
            try {
                String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                long cpu = (Long.parseLong(f[11]) + Long.parseLong(f[12])) * TICK_NANOS;
                long rss = -1;
                long peak = -1;
                for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                    if (line.startsWith("VmRSS:")) rss = Long.parseLong(line.replaceAll("\\D", "")) * 1024;
                    if (line.startsWith("VmHWM:")) peak = Long.parseLong(line.replaceAll("\\D", "")) * 1024;
                }
                return new Usage(cpu, rss, peak, -1);
            } catch (IOException | RuntimeException e) {
                return Usage.UNKNOWN;
            }
        }
    }
}
