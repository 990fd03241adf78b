package dev.steward.agent.isolate;

import dev.steward.agent.ColdTrace;
import dev.steward.agent.isolate.os.LibC;
import dev.steward.agent.isolate.os.Signals;
import dev.steward.agent.isolate.cgroup.Cgroup;
import dev.steward.agent.isolate.cgroup.Usage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The plain process isolate: each instance in its own session and process group, appending its
 * stdout and stderr to its log file, its exit seen through a pidfd. Where the agent can make cgroups,
 * each instance is also tracked in a cgroup of its own (limits only when resources are given), joined
 * before the program runs: then no descendant outlives it, whatever it does with sessions and groups,
 * and its usage is the group's. Elsewhere its process group is all there is to signal.
 */
public final class ProcessIsolate implements Isolate {
    private static final long TICK_NANOS = 10_000_000L;
    private final ExitWatcher watcher;
    /** Null where cgroups cannot be used. */
    private final InstanceCgroups cgroups;
    /** The helper that joins the cgroup and execs in place, or null for the shell that does the same. */
    private final Path helper;

    /** Instances tracked by their process group only. */
    public ProcessIsolate(ExitWatcher watcher) {
        this(watcher, null, null);
    }

    public ProcessIsolate(ExitWatcher watcher, InstanceCgroups cgroups, Path helper) {
        this.watcher = watcher;
        this.cgroups = cgroups;
        this.helper = helper;
    }

    @Override
    public String type() {
        return "process";
    }

    @Override
    public InstanceHandle spawn(SpawnRequest r) throws IOException {
        Map<String, String> env = environment(r);
        ColdTrace.spawnPart("spawn: environment made");
        String user = r.options().get("user");
        if (cgroups == null) {
            long pid = Spawner.spawn(r.nsenter(asUser(user, r.command())), r.dir(), env, r.log());
            return new GroupHandle(pid, ticks(pid), watcher.watch(pid, true), false);
        }
        // Through the joining step a missing program would only show as exit 127: say it now, as posix_spawnp does.
        Spawner.requireProgram(r.command().get(0), env, r.dir());
        ColdTrace.spawnPart("spawn: program found");
        Cgroup cg = cgroups.create(r.service(), r.instance(), r.resources());
        ColdTrace.spawnPart("spawn: cgroup made");
        try {
            List<String> argv = CgroupJoin.plain(helper, cg, r.command(), user, r.netns());
            long pid = Spawner.spawn(argv, r.dir(), env, r.log());
            ColdTrace.spawnPart("spawn: posix_spawn returned");
            long ticks = ticks(pid);
            CompletableFuture<ExitStatus> exit = watcher.watch(pid, true);
            ColdTrace.spawnPart("spawn: exit watched");
            return new CgroupHandle(pid, ticks, cg, cgroups, exit, false);
        } catch (IOException | RuntimeException e) {
            cgroups.release(cg);
            throw e;
        }
    }

    /**
     * {@code command} as {@code user} where no cgroup helper switches users: as it is for the agent's own
     * user, through setpriv (no new privileges) when the agent is root, else refused.
     */
    static List<String> asUser(String user, List<String> command) {
        if (user == null) return command;
        long own = Users.own();
        Users.Ids ids = Users.resolve(user);
        if (ids.uid() == own) return command;
        if (own != 0) throw new IllegalArgumentException("user: running as " + user + " needs an agent running as root (this one runs as uid " + own + ")");
        List<String> a = new java.util.ArrayList<>(List.of("setpriv", "--no-new-privs"));
        a.addAll(Users.setprivArgs(user));
        a.add("--");
        a.addAll(command);
        return a;
    }

    private static long ticks(long pid) {
        return ProcStat.read(pid).map(ProcStat::startTicks).orElse(0L);
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
        // An instance started without a cgroup (by an agent that could not, or did not, make one) keeps its group.
        Optional<Cgroup> cg = cgroups == null ? Optional.empty() : cgroups.adopt(service, instance);
        return Optional.of(cg.<InstanceHandle>map(g -> new CgroupHandle(pid, startTicks, g, cgroups, watcher.watch(pid, false), true))
                .orElseGet(() -> new GroupHandle(pid, startTicks, watcher.watch(pid, false), true)));
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

        /** No cgroup here: the process group is stopped by signal (a process that handles SIGCONT notices). */
        @Override
        public String pausing() {
            return "SIGSTOP (no cgroup)";
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
