package dev.steward.agent.isolate;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The plain process isolate: each instance in its own session and process group (through
 * {@code setsid}, which keeps the pid), appending its stdout and stderr to its log file.
 */
public final class ProcessIsolate implements Isolate {
    private static final String SETSID = "/usr/bin/setsid";
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
        List<String> argv = new ArrayList<>(r.command().size() + 1);
        argv.add(SETSID);
        argv.addAll(r.command());
        ProcessBuilder pb = new ProcessBuilder(argv)
                .directory(r.dir().toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(r.log().toFile()))
                .redirectErrorStream(true);
        pb.environment().putAll(r.env());
        Process p = pb.start();
        long ticks = ProcStat.read(p.pid()).map(ProcStat::startTicks).orElse(0L);
        CompletableFuture<ExitStatus> exit = p.onExit().thenApply(done -> ExitStatus.ofJdk(done.exitValue()));
        return new GroupHandle(p.pid(), ticks, exit, false);
    }

    @Override
    public Optional<InstanceHandle> adopt(long pid, long startTicks) {
        if (!ProcStat.same(pid, startTicks)) return Optional.empty();
        CompletableFuture<ExitStatus> exit = watcher.watch(pid).thenApply(v -> new ExitStatus.Unknown());
        return Optional.of(new GroupHandle(pid, startTicks, exit, true));
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
