package dev.steward.agent.isolate;

import dev.steward.agent.isolate.os.LibC;
import dev.steward.agent.isolate.os.Signals;
import com.sun.jna.Memory;
import com.sun.jna.StringArray;
import com.sun.jna.ptr.IntByReference;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Starts a program with {@code posix_spawnp}: in a new session (so its own process group), with
 * default signal handling, stdin from /dev/null, stdout and stderr appended to a log file, no other
 * descriptor of the agent inherited. Unlike {@link ProcessBuilder}, it costs no thread per child:
 * exits are seen and reaped by the {@link ExitWatcher}.
 */
final class Spawner {
    private static final int ATTR_SIZE = 1024;
    private static final int ACTIONS_SIZE = 1024;
    private static final int SIGSET_SIZE = 128;

    private Spawner() {}

    /** Spawns {@code argv} and returns its pid. */
    static long spawn(List<String> argv, Path dir, Map<String, String> env, Path log) throws IOException {
        LibC c = LibC.INSTANCE;
        try (Memory actions = new Memory(ACTIONS_SIZE); Memory attr = new Memory(ATTR_SIZE);
             Memory none = new Memory(SIGSET_SIZE); Memory all = new Memory(SIGSET_SIZE)) {
            check(c.posix_spawn_file_actions_init(actions), "file actions");
            check(c.posix_spawnattr_init(attr), "attributes");
            try {
                prepare(c, actions, attr, none, all, dir, log);
                StringArray args = new StringArray(argv.toArray(String[]::new));
                StringArray envp = environment(env);
                IntByReference pid = new IntByReference();
                int err = c.posix_spawnp(pid, argv.get(0), actions, attr, args, envp);
                if (err != 0) throw new IOException("cannot run " + argv.get(0) + ": " + c.strerror(err));
                return pid.getValue();
            } finally {
                c.posix_spawn_file_actions_destroy(actions);
                c.posix_spawnattr_destroy(attr);
            }
        }
    }

    /**
     * Runs what a spawn does before {@code posix_spawnp} once, on structures thrown away, spawning nothing: in a fresh
     * agent the first use of each native call (JNA looks the function up and prepares its call) and the first run of
     * this code took milliseconds on the first start on demand's path; the agent's start runs this off that path.
     * Whether every call ran (a warm-up only: when one fails, the first spawn pays the rest).
     */
    static boolean warmUp() {
        LibC c = LibC.INSTANCE;
        try (Memory actions = new Memory(ACTIONS_SIZE); Memory attr = new Memory(ATTR_SIZE);
             Memory none = new Memory(SIGSET_SIZE); Memory all = new Memory(SIGSET_SIZE)) {
            if (c.posix_spawn_file_actions_init(actions) != 0) return false;
            try {
                if (c.posix_spawnattr_init(attr) != 0) return false;
                try {
                    prepare(c, actions, attr, none, all, Path.of("/"), Path.of("/dev/null"));
                    new StringArray(new String[] {"true"});
                    environment(System.getenv());
                    return true;
                } finally {
                    c.posix_spawnattr_destroy(attr);
                }
            } finally {
                c.posix_spawn_file_actions_destroy(actions);
            }
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** The child's descriptors, directory and signal handling, into {@code actions} and {@code attr}. */
    private static void prepare(LibC c, Memory actions, Memory attr, Memory none, Memory all, Path dir, Path log) throws IOException {
        check(c.posix_spawn_file_actions_addopen(actions, 0, "/dev/null", LibC.O_RDONLY, 0), "stdin");
        check(c.posix_spawn_file_actions_addopen(actions, 1, log.toString(), LibC.O_WRONLY | LibC.O_CREAT | LibC.O_APPEND, 0644), "log " + log);
        check(c.posix_spawn_file_actions_adddup2(actions, 1, 2), "stderr");
        check(c.posix_spawn_file_actions_addclosefrom_np(actions, 3), "closefrom");
        check(c.posix_spawn_file_actions_addchdir_np(actions, dir.toString()), "dir " + dir);
        c.sigemptyset(none);
        c.sigfillset(all);
        check(c.posix_spawnattr_setsigmask(attr, none), "signal mask");
        check(c.posix_spawnattr_setsigdefault(attr, all), "signal defaults");
        check(c.posix_spawnattr_setflags(attr, (short) (LibC.POSIX_SPAWN_SETSID | LibC.POSIX_SPAWN_SETSIGMASK | LibC.POSIX_SPAWN_SETSIGDEF)), "flags");
    }

    private static StringArray environment(Map<String, String> env) {
        return new StringArray(env.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toArray(String[]::new));
    }

    /**
     * Fails, as {@link #spawn} would, when {@code program} names no executable file: a path is taken
     * from {@code dir}, a bare name is looked for on the {@code PATH} of {@code env}.
     */
    static void requireProgram(String program, Map<String, String> env, Path dir) throws IOException {
        List<Path> candidates = program.contains("/") ? List.of(dir.resolve(program))
                : Arrays.stream(env.getOrDefault("PATH", "/usr/bin:/bin").split(":"))
                        .map(d -> dir.resolve(d.isEmpty() ? "." : d).resolve(program)).toList();
        if (candidates.stream().anyMatch(p -> Files.isRegularFile(p) && Files.isExecutable(p))) return;
        boolean exists = candidates.stream().anyMatch(Files::isRegularFile);
        throw new IOException("cannot run " + program + ": " + (exists ? "Permission denied" : "No such file or directory"));
    }

    private static void check(int rc, String what) throws IOException {
        if (rc != 0) throw new IOException("posix_spawn " + what + ": " + LibC.INSTANCE.strerror(rc));
    }

    /** Waits for a child that no {@link ExitWatcher} watches, and reaps it. */
    static void reapBlocking(long pid) {
        LibC.INSTANCE.waitpid((int) pid, new IntByReference(), 0);
    }

    /** Reaps an exited child and says how it ended; unknown when it was not ours to reap. */
    static ExitStatus reap(long pid) {
        IntByReference status = new IntByReference();
        int r = LibC.INSTANCE.waitpid((int) pid, status, LibC.WNOHANG);
        if (r != pid) return new ExitStatus.Unknown();
        int s = status.getValue();
        int signal = s & 0x7f;
        return signal == 0 ? new ExitStatus.Code((s >> 8) & 0xff) : new ExitStatus.Signal(signal);
    }
}
