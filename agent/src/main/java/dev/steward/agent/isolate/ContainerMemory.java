package dev.steward.agent.isolate;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The memory cgroup the engine put a container's process in, and the kernel's count of the processes it killed there
 * at the group's limit: an engine may report a container killed at its memory limit as a plain SIGKILL (Podman 4.3.1
 * here: its conmon leaves its mark of the kill in its own working directory, and inspect says {@code OOMKilled: false}),
 * so the count is read when its process ends, before the engine removes the group.
 */
final class ContainerMemory {
    private static final Path ROOT = Path.of("/sys/fs/cgroup");

    private ContainerMemory() {}

    /** The memory group of process {@code pid} (cgroup v1's memory hierarchy, else the v2 tree); empty when unknown. */
    static Optional<Path> groupOf(long pid) {
        try {
            String v2 = null;
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "cgroup"))) {
                String[] f = line.split(":", 3);
                if (f.length < 3) continue;
                if (java.util.Arrays.asList(f[1].split(",")).contains("memory")) return Optional.of(under(ROOT.resolve("memory"), f[2]));
                if (f[0].equals("0") && f[1].isEmpty()) v2 = f[2];
            }
            return v2 != null && Files.exists(ROOT.resolve("cgroup.controllers")) ? Optional.of(under(ROOT, v2)) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // gone already
        }
    }

    private static Path under(Path root, String group) {
        return root.resolve(group.startsWith("/") ? group.substring(1) : group);
    }

    /** How many processes the kernel killed in {@code group} at its memory limit; 0 when it cannot be read (the group is gone). */
    static long oomKills(Path group) {
        Path file = Files.exists(group.resolve("memory.events")) ? group.resolve("memory.events") : group.resolve("memory.oom_control");
        try {
            for (String line : Files.readAllLines(file)) {
                String[] kv = line.trim().split("\\s+");
                if (kv.length == 2 && kv[0].equals("oom_kill")) return Long.parseLong(kv[1]);
            }
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
        return 0;
    }
}
