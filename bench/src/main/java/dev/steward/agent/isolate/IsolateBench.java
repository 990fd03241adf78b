package dev.steward.agent.isolate;

import dev.steward.agent.isolate.os.Signals;
import dev.steward.agent.isolate.cgroup.Cgroup;
import dev.steward.agent.isolate.cgroup.Cgroups;
import dev.steward.model.Resources;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Spawn-to-running time of each isolate beside a bare posix_spawn, and pause-to-serving time (thaw
 * plus the first answered request) of the sandbox and container isolates beside a bare freezer
 * write and a bare request. Run with bench/isolates.sh.
 */
public final class IsolateBench {
    private static final int RUNS = Integer.getInteger("runs", 50);

    public static void main(String[] args) throws Exception {
        Path work = Files.createTempDirectory("steward-isolate-bench");
        String dockerHost = args.length > 0 ? args[0] : null;
        try (ExitWatcher watcher = new ExitWatcher()) {
            NodeScope scope = NodeScope.of(work);
            Isolates isolates = new Isolates(scope, watcher, Path.of("/sys/fs/cgroup"), dockerHost == null
                    ? dev.steward.agent.config.AgentConfig.defaultDockerHost() : dockerHost, work.resolve("bin"));
            System.out.println("spawn to running (the program's first action), ms over " + RUNS + " spawns:");
            System.out.println("| isolate | median | p99 | over bare spawn (median) |");
            System.out.println("|---|---|---|---|");
            List<Double> bare = spawnTimes(work, null);
            row("bare posix_spawn (floor)", bare, median(bare));
            for (String type : List.of("process", "sandbox", "container")) {
                if (!isolates.names().contains(type)) {
                    System.out.println("| " + type + " | not available: " + isolates.unavailable().get(type) + " | | |");
                    continue;
                }
                row(type, spawnTimes(work, isolates.of(new dev.steward.model.IsolateSpec(type, Map.of()))), median(bare));
            }
            System.out.println();
            System.out.println("pause to serving (thaw, then the first answered request), ms over " + RUNS + " pauses:");
            System.out.println("| what | median | p99 |");
            System.out.println("|---|---|---|");
            Cgroups cg = Cgroups.detect(Path.of("/sys/fs/cgroup"), scope.id()).orElse(null);
            if (cg != null) row("bare freezer thaw write (floor)", freezerFloor(cg), -1);
            for (String type : List.of("sandbox", "container")) {
                if (isolates.names().contains(type)) pauseToServing(work, type, isolates.of(new dev.steward.model.IsolateSpec(type, Map.of())));
            }
        }
    }

    private static List<Double> spawnTimes(Path parent, Isolate isolate) throws Exception {
        Path work = Files.createDirectories(parent.resolve(isolate == null ? "bare" : isolate.type()));
        work.toFile().setWritable(true, false);
        List<Double> ms = new ArrayList<>();
        for (int i = 0; i < RUNS; i++) {
            Path marker = work.resolve("m" + i);
            List<String> cmd = List.of("/bin/sh", "-c", ": > " + marker + "; exec sleep 30");
            long t0 = System.nanoTime();
            InstanceHandle h = null;
            long pid = 0;
            if (isolate == null) {
                pid = Spawner.spawn(cmd, work, Map.of("PATH", "/usr/bin:/bin"), work.resolve("bare.log"));
            } else {
                SpawnRequest r = new SpawnRequest("bench", "s" + i, cmd, work, Map.of("PATH", "/usr/bin:/bin"), work.resolve("i.log"),
                        Resources.NONE, isolate.type().equals("container") ? Map.of("image", "localhost/busybox:1") : Map.of());
                h = isolate.spawn(r);
            }
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (!Files.exists(marker)) {
                Thread.onSpinWait();
                if (System.nanoTime() > deadline) {
                    Path log = work.resolve(isolate == null ? "bare.log" : "i.log");
                    throw new IllegalStateException("spawn " + i + " never ran; log: " + (Files.exists(log) ? Files.readString(log) : "none"));
                }
            }
            ms.add((System.nanoTime() - t0) / 1e6);
            if (h != null) {
                h.kill();
                h.exit().join();
            } else {
                Signals.killGroup(pid);
                Spawner.reapBlocking(pid);
            }
        }
        return ms;
    }

    private static List<Double> freezerFloor(Cgroups cgroups) throws Exception {
        Cgroup g = cgroups.create("bench", "floor", Resources.NONE);
        long pid = Spawner.spawn(List.of("sleep", "60"), Path.of("/"), Map.of("PATH", "/usr/bin:/bin"), Path.of("/dev/null"));
        for (Path p : g.procsFiles()) Files.writeString(p, Long.toString(pid));
        List<Double> ms = new ArrayList<>();
        for (int i = 0; i < RUNS; i++) {
            g.freeze();
            long t0 = System.nanoTime();
            g.thaw();
            ms.add((System.nanoTime() - t0) / 1e6);
        }
        g.killAll();
        Spawner.reapBlocking(pid);
        g.remove();
        return ms;
    }

    private static void pauseToServing(Path work, String type, Isolate isolate) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path tiny = Path.of(System.getProperty("steward.root", ".")).resolve("bench/tiny_http.py").toAbsolutePath();
        List<String> cmd = type.equals("container")
                ? List.of("httpd", "-f", "-p", "127.0.0.1:" + port, "-h", work.toString())
                : List.of("python3", tiny.toString(), Integer.toString(port));
        Files.writeString(work.resolve("index.html"), "ok");
        SpawnRequest r = new SpawnRequest("bench", "serve-" + type, cmd, work, Map.of("PATH", "/usr/local/bin:/usr/bin:/bin"),
                work.resolve(type + ".log"), Resources.NONE, type.equals("container") ? Map.of("image", "localhost/busybox:1") : Map.of());
        InstanceHandle h = isolate.spawn(r);
        try {
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (!answers(port)) {
                if (System.nanoTime() > deadline) throw new IllegalStateException(type + " server did not answer");
                Thread.sleep(10);
            }
            List<Double> bareRequest = new ArrayList<>();
            List<Double> ms = new ArrayList<>();
            for (int i = 0; i < RUNS; i++) {
                long t0 = System.nanoTime();
                answers(port);
                bareRequest.add((System.nanoTime() - t0) / 1e6);
                h.pause();
                Thread.sleep(5);
                t0 = System.nanoTime();
                h.resume();
                if (!answers(port)) throw new IllegalStateException("no answer after resume");
                ms.add((System.nanoTime() - t0) / 1e6);
            }
            row(type + ": a request, not paused (floor)", bareRequest, -1);
            row(type + ": thaw + first answered request", ms, -1);
        } finally {
            h.kill();
            h.exit().join();
        }
    }

    private static boolean answers(int port) {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write("GET /index.html HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            byte[] b = in.readNBytes(12);
            return new String(b, StandardCharsets.US_ASCII).contains("200");
        } catch (IOException e) {
            return false;
        }
    }

    private static double median(List<Double> v) {
        List<Double> s = new ArrayList<>(v);
        Collections.sort(s);
        return s.get(s.size() / 2);
    }

    private static double p99(List<Double> v) {
        List<Double> s = new ArrayList<>(v);
        Collections.sort(s);
        return s.get(Math.min(s.size() - 1, (int) Math.round(0.99 * (s.size() - 1))));
    }

    private static void row(String what, List<Double> v, double floor) {
        String over = floor < 0 ? "" : String.format(" | %+.2f", median(v) - floor);
        System.out.printf("| %s | %.3f | %.3f%s |%n", what, median(v), p99(v), floor < 0 ? "" : over);
    }
}
