package dev.steward.agent.isolate.cgroup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The cpu weights of the groups above the instances' cpu groups in the cgroup v1 cpu hierarchy. With v1, a group
 * competes for the CPU as one entity of its {@code cpu.shares} (1024 by default) beside every process of its parent:
 * left at the default, {@code steward/} holding the instances of every agent on the machine would get as much CPU as
 * one plain process, and on a loaded machine its instances starve while the same programs started by hand do not. So
 * each of {@code steward/}, {@code steward/SCOPE/} and {@code steward/SCOPE/SERVICE/} weighs 1024 for each instance
 * group below it, as that many plain processes would: each instance (1024, the default) then competes as one plain
 * process does. (Only instances with a CPU limit have a cpu group where cpu is a hierarchy of its own, so a group's
 * weight never outgrows what the quotas below it let them use.) Set again whenever an instance's cpu group is made or
 * removed; groups of other agents' scopes are counted too (they share {@code steward/}), and another agent's change
 * meanwhile is made right by the next one.
 */
final class CpuShares {
    /** The weight of one plain process, and of each instance's group. */
    static final long ONE = 1024;
    /** The kernel's largest {@code cpu.shares}. */
    static final long MAX = 262_144;

    /**
     * {@code -Dsteward.cgroup.cpu-shares=one-group}: as before, every instance has a cpu group, and every group is
     * left at (or put back to) the default weight: {@code steward/} then competes as one process (for comparing).
     */
    static final boolean ONE_GROUP = "one-group".equals(System.getProperty("steward.cgroup.cpu-shares"));

    private CpuShares() {}

    /** Sets the weights of {@code leaf}'s parents up to {@code steward} (each that still exists) from what is below them. */
    static void spread(Path steward, Path leaf) {
        for (Path d = leaf.getParent(); d != null && d.startsWith(steward); d = d.getParent()) {
            int depth = d.equals(steward) ? 0 : steward.relativize(d).getNameCount(); // steward 0, SCOPE 1, SERVICE 2
            if (!Files.isDirectory(d)) continue;
            long instances = count(d, 2 - depth);
            if (instances > 0) write(d, ONE_GROUP ? ONE : Math.min(MAX, ONE * instances));
            if (d.equals(steward)) break;
        }
    }

    /** The instance groups {@code levels} directories below {@code d} (0: its own subdirectories). */
    static long count(Path d, int levels) {
        long n = 0;
        for (Path sub : dirs(d)) n += levels <= 0 ? 1 : count(sub, levels - 1);
        return n;
    }

    private static List<Path> dirs(Path d) {
        try (Stream<Path> s = Files.list(d)) {
            return s.filter(Files::isDirectory).toList();
        } catch (IOException e) {
            return List.of(); // removed meanwhile
        }
    }

    private static void write(Path d, long shares) {
        try {
            CgroupFiles.write(d.resolve("cpu.shares"), Long.toString(shares));
        } catch (IOException e) {
            // removed meanwhile, or not writable: its weight stays as it was
        }
    }
}
