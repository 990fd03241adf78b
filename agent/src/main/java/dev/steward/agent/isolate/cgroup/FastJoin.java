package dev.steward.agent.isolate.cgroup;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import dev.steward.agent.isolate.os.LibC;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Makes joining a cgroup cheap. Moving a process into a cgroup (a write to {@code cgroup.procs}, as every
 * instance does before it runs) takes the kernel's cgroup threadgroup lock for writing, and by default
 * that waits for an RCU grace period whenever no other move happened just before: 4-15 ms on a
 * machine with RCU_LAZY, on the path of every start from zero. A cgroup hierarchy mounted with
 * {@code favordynmods} (Linux 6.0 and later) keeps that lock in the mode where a move costs about
 * 0.2 ms, at the price of a slightly dearer fork and exit for every process on the machine (the kernel's
 * own description of the option). The lock is one for the whole kernel, so a hierarchy of its own with no
 * controllers, {@code name=steward}, is enough on v1 and v2 machines alike: mounted once per machine at
 * {@link #MOUNT}, shared by every agent, left mounted, never given a child group. Where the kernel
 * refuses (no v1 support, an older kernel without the option), starts just pay the grace period.
 */
public final class FastJoin {
    /** Where the hierarchy is mounted; every agent of the machine finds it there. */
    public static final Path MOUNT = Path.of("/run/steward/cgroup-fast-join");
    private static final String OPTIONS = "none,name=steward,favordynmods";

    private FastJoin() {}

    /** Whether some cgroup hierarchy of this machine is mounted with {@code favordynmods} already. */
    public static boolean on(Path mounts) {
        try {
            return Files.readAllLines(mounts).stream().map(l -> l.split(" "))
                    .anyMatch(f -> f.length > 3 && f[2].startsWith("cgroup") && (',' + f[3] + ',').contains(",favordynmods,"));
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Mounts the hierarchy unless some hierarchy has the option already; says what it did, for the
     * agent's log, or why it could not.
     */
    public static String ensure() {
        Path mounts = Path.of("/proc/self/mounts");
        if (on(mounts)) return "cgroup moves are fast (a hierarchy with favordynmods is mounted)";
        try {
            Files.createDirectories(MOUNT);
        } catch (IOException e) {
            return "cgroup moves wait for the kernel (cannot make " + MOUNT + ": " + e.getMessage() + ")";
        }
        byte[] options = (OPTIONS + '\0').getBytes(StandardCharsets.US_ASCII);
        try (Memory data = new Memory(options.length)) {
            data.write(0, options, 0, options.length);
            if (LibC.INSTANCE.mount("cgroup", MOUNT.toString(), "cgroup", 0, data) != 0) {
                int errno = Native.getLastError();
                // a race with another agent mounting it at the same moment is as good as our own mount
                if (on(mounts)) return "cgroup moves are fast (a hierarchy with favordynmods is mounted)";
                return "cgroup moves wait for the kernel (mounting a cgroup hierarchy with favordynmods at " + MOUNT
                        + " failed: " + LibC.INSTANCE.strerror(errno) + ")";
            }
        }
        return "cgroup moves made fast: mounted a cgroup hierarchy with favordynmods at " + MOUNT;
    }
}
