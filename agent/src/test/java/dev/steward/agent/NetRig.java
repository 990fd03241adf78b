package dev.steward.agent;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A private network for tests: a bridge in the machine's own namespace with {@code 10.77.N.1/24}, and
 * network namespaces joined to it by veth pairs, each with {@code 10.77.N.(10+i)/24} on its
 * {@code eth0}. N is free on the machine and held by a lock file while the rig lives, and every name
 * carries a random run id, so that concurrent runs never meet. {@link #close} kills whatever still
 * runs in the namespaces and removes namespaces and bridge; nothing else of the machine is touched.
 */
public final class NetRig implements AutoCloseable {
    private final String run = String.format("%06x", ThreadLocalRandom.current().nextInt(1 << 24));
    private final List<String> spaces = new ArrayList<>();
    private final String subnet;
    private final FileChannel lockFile;
    private final FileLock lock;

    private NetRig(String subnet, FileChannel lockFile, FileLock lock) {
        this.subnet = subnet;
        this.lockFile = lockFile;
        this.lock = lock;
    }

    /** Why the rig cannot be made here (not root, or {@code ip netns} does not work), or null. */
    public static String unavailable() {
        if (!"root".equals(System.getProperty("user.name"))) return "network namespaces need root (running as " + System.getProperty("user.name") + ")";
        String probe = "stwprobe-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        try {
            String failed = run("ip", "netns", "add", probe);
            if (failed != null) return "ip netns cannot work here: " + failed;
            run("ip", "netns", "del", probe);
            return null;
        } catch (IOException e) {
            return "no ip command: " + e.getMessage();
        }
    }

    /** A bridge with a free /24 of 10.77.0.0/16 on its host side. */
    public static NetRig create() throws IOException {
        String used = output("ip", "-o", "-4", "addr", "show");
        int start = ThreadLocalRandom.current().nextInt(256);
        for (int k = 0; k < 256; k++) {
            int n = (start + k) % 256;
            String subnet = "10.77." + n + ".";
            if (used.contains(" " + subnet)) continue;
            FileChannel ch = FileChannel.open(Path.of(System.getProperty("java.io.tmpdir"), "steward-netrig-10.77." + n + ".lock"),
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock l = ch.tryLock();
            if (l == null) {
                ch.close();
                continue;
            }
            NetRig rig = new NetRig(subnet, ch, l);
            try {
                rig.must("ip", "link", "add", rig.bridge(), "type", "bridge");
                rig.must("ip", "addr", "add", subnet + "1/24", "dev", rig.bridge());
                rig.must("ip", "link", "set", rig.bridge(), "up");
                return rig;
            } catch (IOException | RuntimeException e) {
                rig.close();
                throw e;
            }
        }
        throw new IllegalStateException("no free /24 in 10.77.0.0/16 for the test network");
    }

    /** The address of the bridge's host side, where this JVM reaches the namespaces from. */
    public String hostAddress() {
        return subnet + "1";
    }

    private String bridge() {
        return "stb" + run;
    }

    /** Adds namespace number {@code spaces().size()} on the bridge; returns its index. */
    public int addSpace() throws IOException {
        int i = spaces.size();
        String ns = "steward-" + run + "-" + i;
        must("ip", "netns", "add", ns);
        spaces.add(ns);
        must("ip", "link", "add", veth(i), "type", "veth", "peer", "name", "eth0", "netns", ns);
        must("ip", "link", "set", veth(i), "master", bridge(), "up");
        must("ip", "-n", ns, "link", "set", "lo", "up");
        must("ip", "-n", ns, "addr", "add", address(i) + "/24", "dev", "eth0");
        must("ip", "-n", ns, "link", "set", "eth0", "up");
        return i;
    }

    /** The private address of namespace {@code i}. */
    public String address(int i) {
        return subnet + (10 + i);
    }

    /** The command prefix that runs a program in namespace {@code i}. */
    public List<String> in(int i) {
        return List.of("ip", "netns", "exec", spaces.get(i));
    }

    /** Cuts namespace {@code i} off the bridge: its link goes down, and packets to and from it are lost. */
    public void down(int i) throws IOException {
        must("ip", "link", "set", veth(i), "down");
    }

    /** Joins namespace {@code i} to the bridge again. */
    public void up(int i) throws IOException {
        must("ip", "link", "set", veth(i), "up");
    }

    private String veth(int i) {
        return "stv" + run + i;
    }

    /** The pids of every process in namespace {@code i}. */
    public List<Long> pids(int i) throws IOException {
        return output("ip", "netns", "pids", spaces.get(i)).lines().filter(l -> !l.isBlank()).map(l -> Long.parseLong(l.strip())).toList();
    }

    @Override
    public void close() {
        for (int i = 0; i < spaces.size(); i++) {
            try {
                for (long pid : pids(i)) ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (!pids(i).isEmpty() && System.nanoTime() < deadline) TestAgent.sleep(20);
                run("ip", "netns", "del", spaces.get(i));
            } catch (IOException | RuntimeException e) {
                System.err.println("test network: cannot remove " + spaces.get(i) + ": " + e);
            }
        }
        try {
            run("ip", "link", "del", bridge());
            lock.release();
            lockFile.close();
        } catch (IOException e) {
            System.err.println("test network: cannot remove " + bridge() + ": " + e);
        }
    }

    private void must(String... cmd) throws IOException {
        String failed = run(cmd);
        if (failed != null) throw new IllegalStateException(failed);
    }

    /** Runs a command; null when it succeeded, else what it said. */
    private static String run(String... cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        try {
            return p.waitFor() == 0 ? null : String.join(" ", cmd) + ": exit " + p.exitValue() + ": " + out.strip();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private static String output(String... cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        try {
            if (p.waitFor() != 0) throw new IOException(String.join(" ", cmd) + ": exit " + p.exitValue() + ": " + out.strip());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        return out;
    }
}
