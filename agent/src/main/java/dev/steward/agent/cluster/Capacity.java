package dev.steward.agent.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * What this machine offers, read from {@code /proc} and capped by the agent's own cgroup (v2) where it
 * sets limits: CPUs, memory and process ids in all, and what of them is free now.
 */
final class Capacity {
    private final Path proc;
    private final Path cgroup;

    Capacity(Path proc, Path cgroupRoot) {
        this.proc = proc;
        this.cgroup = ownCgroup(proc, cgroupRoot);
    }

    static Capacity ofMachine() {
        return new Capacity(Path.of("/proc"), Path.of("/sys/fs/cgroup"));
    }

    NodeRecord.Resources total() {
        long memory = Math.min(meminfo("MemTotal:"), limit("memory.max"));
        long pids = Math.min(number(proc.resolve("sys/kernel/pid_max"), 32768), limit("pids.max"));
        return new NodeRecord.Resources(Runtime.getRuntime().availableProcessors(), memory, pids);
    }

    NodeRecord.Resources free(NodeRecord.Resources total) {
        long memory = Math.min(meminfo("MemAvailable:"), total.memory());
        long used = Math.max(processes(), limit("pids.current") == Long.MAX_VALUE ? 0 : limit("pids.current"));
        double cpu = Math.max(0, total.cpu() - load());
        return new NodeRecord.Resources(Math.round(cpu * 100) / 100.0, memory, Math.max(0, total.pids() - used));
    }

    /** The one-minute load average. */
    double load() {
        try {
            return Double.parseDouble(Files.readString(proc.resolve("loadavg")).split(" ")[0]);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    private long processes() {
        try (Stream<Path> s = Files.list(proc)) {
            return s.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).count();
        } catch (IOException e) {
            return 0;
        }
    }

    private long meminfo(String field) {
        try {
            for (String line : Files.readAllLines(proc.resolve("meminfo"))) {
                if (line.startsWith(field)) return Long.parseLong(line.substring(field.length()).trim().split(" ")[0]) * 1024;
            }
        } catch (IOException | RuntimeException e) {
            // unknown: no figure
        }
        return 0;
    }

    /** A figure of the agent's own cgroup v2; {@code Long.MAX_VALUE} for none or {@code max}. */
    private long limit(String file) {
        return cgroup == null ? Long.MAX_VALUE : number(cgroup.resolve(file), Long.MAX_VALUE);
    }

    private static long number(Path file, long otherwise) {
        try {
            String s = Files.readString(file).strip();
            return s.equals("max") ? otherwise : Long.parseLong(s);
        } catch (IOException | RuntimeException e) {
            return otherwise;
        }
    }

    /** The agent's cgroup v2 directory ({@code 0::/path} in {@code /proc/self/cgroup}), or null. */
    private static Path ownCgroup(Path proc, Path root) {
        try {
            for (String line : Files.readAllLines(proc.resolve("self/cgroup"))) {
                if (line.startsWith("0::")) {
                    Path p = root.resolve(line.substring(3).replaceFirst("^/", ""));
                    return Files.isDirectory(p) ? p : null;
                }
            }
        } catch (IOException e) {
            // no cgroups: the machine's figures
        }
        return null;
    }
}
