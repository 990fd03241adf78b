package dev.steward.agent.isolate;

import dev.steward.agent.isolate.os.LibC;
import dev.steward.agent.isolate.os.Signals;
import dev.steward.agent.isolate.cgroup.Cgroup;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The sandbox isolate: each instance in its own cgroup (limits from {@code resources}) and in new
 * PID, mount (with its own /proc), IPC and UTS namespaces, optionally a network namespace with only
 * loopback, with {@code no_new_privs} and optionally as another user.
 *
 * <p>The spawned process joins its cgroup before it execs anything, so no child escapes the limits;
 * then {@code unshare} makes the namespaces and forks a small init (pid 1 inside) that forwards
 * SIGTERM to the program and exits with its status.
 */
public final class SandboxIsolate implements Isolate {
    /** pid 1 inside: runs the program, forwards TERM/INT/HUP to it, exits with its status. */
    private static final String INIT = "trap 'kill -TERM $c 2>/dev/null' TERM; trap 'kill -INT $c 2>/dev/null' INT; "
            + "trap 'kill -HUP $c 2>/dev/null' HUP; \"$@\" & c=$!; "
            + "while :; do wait $c; s=$?; kill -0 $c 2>/dev/null || exit $s; done";
    private static final String LOOPBACK = "ip link set lo up 2>/dev/null || true; exec \"$@\"";

    private final ExitWatcher watcher;
    private final InstanceCgroups cgroups;
    /** The one-exec helper (src/main/c/steward-sandbox.c), or null to use the shell chain. */
    private final Path helper;

    public SandboxIsolate(ExitWatcher watcher, InstanceCgroups cgroups, Path helper) {
        this.watcher = watcher;
        this.cgroups = cgroups;
        this.helper = helper;
    }

    /** Copies the helper built into the agent's jar to {@code binDir}, once per content; null when it was not built. */
    public static Path installHelper(Path binDir) {
        try (java.io.InputStream in = SandboxIsolate.class.getResourceAsStream("/native/steward-sandbox")) {
            if (in == null) return null;
            byte[] bytes = in.readAllBytes();
            String hash = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes)).substring(0, 16);
            Path dest = binDir.resolve("steward-sandbox-" + hash);
            if (Files.isExecutable(dest)) return dest;
            Files.createDirectories(binDir);
            Path tmp = Files.createTempFile(binDir, ".helper", "");
            Files.write(tmp, bytes);
            Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.move(tmp, dest, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            return dest;
        } catch (IOException | java.security.NoSuchAlgorithmException e) {
            System.err.println("steward: cannot install the sandbox helper, using the shell chain: " + e.getMessage());
            return null;
        }
    }

    @Override
    public String type() {
        return "sandbox";
    }

    @Override
    public InstanceHandle spawn(SpawnRequest r) throws IOException {
        Cgroup cg = cgroups.create(r.service(), r.instance(), r.resources());
        try {
            List<String> argv = helper != null ? helperArgv(helper, r, cg) : argv(r, cg);
            long pid = Spawner.spawn(argv, r.dir(), ProcessIsolate.environment(r), r.log());
            long ticks = ProcStat.read(pid).map(ProcStat::startTicks).orElse(0L);
            return new SandboxHandle(pid, ticks, cg, cgroups, watcher.watch(pid, true), false);
        } catch (IOException | RuntimeException e) {
            cgroups.release(cg);
            throw e;
        }
    }

    static List<String> helperArgv(Path helper, SpawnRequest r, Cgroup cg) {
        List<String> a = new ArrayList<>(List.of(helper.toString()));
        if ("none".equals(r.options().get("network"))) a.add("--net");
        if (r.netns() != null) a.addAll(List.of("--netns", r.netns()));
        String user = r.options().get("user");
        if (user != null) a.addAll(List.of("--user", Users.helperArg(user)));
        a.addAll(CgroupJoin.helperOptions(cg));
        a.add("--");
        a.addAll(r.command());
        return a;
    }

    /** The same sandbox from stock tools, where the helper was not built: sh joins, unshare, setpriv, sh as init. */
    static List<String> argv(SpawnRequest r, Cgroup cg) {
        List<String> a = new ArrayList<>(r.nsenter(CgroupJoin.shell(cg)));
        boolean isolatedNet = "none".equals(r.options().get("network"));
        a.addAll(List.of("unshare", "--pid", "--fork", "--kill-child", "--mount", "--mount-proc", "--ipc", "--uts"));
        if (isolatedNet) a.addAll(List.of("--net", "/bin/sh", "-c", LOOPBACK, "lo"));
        a.addAll(List.of("setpriv", "--no-new-privs"));
        String user = r.options().get("user");
        if (user != null) a.addAll(Users.setprivArgs(user));
        a.addAll(List.of("--", "/bin/sh", "-c", INIT, "init"));
        a.addAll(r.command());
        return a;
    }

    @Override
    public Optional<InstanceHandle> adopt(String service, String instance, long pid, long startTicks, java.nio.file.Path log) {
        if (!ProcStat.same(pid, startTicks)) return Optional.empty();
        return cgroups.adopt(service, instance).map(cg -> new SandboxHandle(pid, startTicks, cg, cgroups, watcher.watch(pid, false), true));
    }

    /** A sandboxed instance: the tracked pid is the process that made the namespaces; its cgroup holds all. */
    private static final class SandboxHandle extends CgroupHandle {
        SandboxHandle(long pid, long startTicks, Cgroup cg, InstanceCgroups groups, CompletableFuture<ExitStatus> raw, boolean adopted) {
            super(pid, startTicks, cg, groups, raw, adopted);
        }

        /**
         * SIGTERM goes to the init inside, which forwards it to the program; the outer process must live
         * to report the status. (The helper's outer process forwards it too; unshare's would die of it.)
         */
        @Override
        public void terminate() {
            thaw();
            List<Long> inits = children(pid());
            if (inits.isEmpty()) Signals.terminateGroup(pid());
            else inits.forEach(c -> LibC.INSTANCE.kill(c.intValue(), LibC.SIGTERM));
        }

        private static List<Long> children(long pid) {
            try {
                String s = Files.readString(Path.of("/proc", Long.toString(pid), "task", Long.toString(pid), "children")).strip();
                if (s.isEmpty()) return List.of();
                return java.util.Arrays.stream(s.split("\\s+")).map(Long::parseLong).toList();
            } catch (IOException | NumberFormatException e) {
                return List.of();
            }
        }
    }
}
