package dev.steward.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Looks at real processes for tests. */
public final class Procs {
    private Procs() {}

    public static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)
                && dev.steward.agent.isolate.ProcStat.read(pid).map(p -> p.alive()).orElse(false);
    }

    /** Every live pid whose process group is {@code pgid}. */
    public static List<Long> group(long pgid) {
        try (Stream<Path> s = Files.list(Path.of("/proc"))) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.matches("\\d+")).map(Long::parseLong)
                    .filter(pid -> dev.steward.agent.isolate.ProcStat.read(pid).filter(p -> p.pgid() == pgid && p.alive()).isPresent())
                    .toList();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Moves {@code pid} out of Steward's cgroups into the root groups, as if it were some other process
     * of the machine (one that reused an instance's pid); nothing where it is in none.
     */
    public static void leaveStewardCgroups(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "cgroup"))) {
            String[] f = line.split(":", 3);
            if (f.length < 3 || !f[2].contains("/steward/")) continue;
            Path mount = f[1].isEmpty() ? Path.of("/sys/fs/cgroup") : Path.of("/sys/fs/cgroup", f[1]);
            Files.writeString(mount.resolve("cgroup.procs"), Long.toString(pid));
        }
    }

    /**
     * Kills what agents on {@code dataDir} left running ({@code strays}, their agents killed) and
     * removes the cgroups left of the agents' scope, for a test that throws the data dir away.
     */
    public static void killLeftovers(Path dataDir, List<Long> strays) throws IOException {
        strays.forEach(Procs::kill9);
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (strays.stream().anyMatch(Procs::alive) && System.nanoTime() < deadline) TestAgent.sleep(10);
        if (!Files.exists(dataDir.resolve("node.id"))) return;
        String scope = dev.steward.agent.isolate.NodeScope.of(dataDir).id();
        List<Path> bases = new java.util.ArrayList<>(List.of(Path.of("/sys/fs/cgroup/steward", scope)));
        try (Stream<Path> hierarchies = Files.list(Path.of("/sys/fs/cgroup"))) {
            hierarchies.forEach(h -> bases.add(h.resolve("steward").resolve(scope)));
        }
        for (Path base : bases) {
            if (!Files.isDirectory(base)) continue;
            try (Stream<Path> tree = Files.walk(base)) {
                for (Path d : tree.filter(Files::isDirectory).sorted(java.util.Comparator.reverseOrder()).toList()) removeCgroup(d);
            }
        }
    }

    /**
     * Removes one cgroup, killing first what is still in it (an instance a restarted agent started, which
     * the test never saw), and waiting for the kernel to let go of it.
     */
    private static void removeCgroup(Path d) throws IOException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            Path procs = d.resolve("cgroup.procs");
            if (Files.exists(procs)) {
                try {
                    Files.readAllLines(procs).stream().filter(l -> !l.isBlank()).mapToLong(Long::parseLong).forEach(Procs::kill9);
                } catch (IOException gone) {
                    // removed meanwhile
                }
            }
            try {
                Files.deleteIfExists(d);
                return;
            } catch (java.nio.file.FileSystemException busy) {
                if (System.nanoTime() > deadline) throw busy;
                TestAgent.sleep(20); // its processes are still exiting
            }
        }
    }

    public static void kill9(long pid) {
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }

    /** Sends a signal ({@code STOP}, {@code CONT}, ...) with kill(1). */
    public static void signal(long pid, String name) {
        try {
            new ProcessBuilder("kill", "-" + name, Long.toString(pid)).inheritIO().start().waitFor();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A python3 command that serves HTTP on $PORT of $STEWARD_HOST (loopback alone, the node's address in a cluster). */
    public static String httpServer() {
        return "[python3, -m, http.server, \"${PORT}\", --bind, \"${STEWARD_HOST}\"]";
    }
}
