package dev.steward.agent;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A real etcd cluster of three members (Debian's {@code etcd-server}), each in a network namespace of
 * the {@link NetRig} on ports 2379 (clients) and 2380 (peers) of its private address, with a data dir
 * of its own; a member may be killed and started again on its data, all of them too.
 */
public final class EtcdCluster implements AutoCloseable {
    private final NetRig net;
    private final List<Integer> spaces;
    private final Path dir;
    private final String token;
    private final Process[] members;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    private EtcdCluster(NetRig net, List<Integer> spaces, Path dir) {
        this.net = net;
        this.spaces = List.copyOf(spaces);
        this.dir = dir;
        this.token = "steward-test-" + dir.getFileName();
        this.members = new Process[spaces.size()];
    }

    /** Three members in three new namespaces of {@code net}, data under {@code dir}; returns once every one is healthy. */
    public static EtcdCluster start(NetRig net, Path dir) throws Exception {
        List<Integer> spaces = new ArrayList<>();
        for (int m = 0; m < 3; m++) spaces.add(net.addSpace());
        EtcdCluster c = new EtcdCluster(net, spaces, dir);
        try {
            c.startAll();
        } catch (Exception e) {
            c.close();
            throw e;
        }
        return c;
    }

    public int size() {
        return members.length;
    }

    /** The {@code --cluster} option's value: every member. */
    public String clusterUrl() {
        return "etcd://" + spaces.stream().map(s -> net.address(s) + ":2379").collect(Collectors.joining(","));
    }

    /** Starts every member not running (at once: a restarted cluster needs a quorum to answer), and waits until all are healthy. */
    public void startAll() throws Exception {
        for (int m = 0; m < members.length; m++) {
            if (members[m] == null || !members[m].isAlive()) launch(m);
        }
        for (int m = 0; m < members.length; m++) awaitHealthy(m, Duration.ofSeconds(60));
    }

    /** Starts member {@code m} again on its data, and waits until it is healthy. */
    public void start(int m) throws Exception {
        launch(m);
        awaitHealthy(m, Duration.ofSeconds(60));
    }

    /** SIGKILLs member {@code m}. */
    public void kill(int m) throws InterruptedException {
        if (members[m] != null) members[m].destroyForcibly().waitFor();
    }

    /** SIGKILLs every member. */
    public void killAll() throws InterruptedException {
        for (int m = 0; m < members.length; m++) kill(m);
    }

    /** The member that leads now, as its metrics say; waits for one within {@code wait}. */
    public int leader(Duration wait) throws Exception {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            for (int m = 0; m < members.length; m++) {
                if (members[m] == null || !members[m].isAlive()) continue;
                try {
                    String metrics = http.send(HttpRequest.newBuilder(URI.create(client(m) + "/metrics")).timeout(Duration.ofSeconds(2)).build(),
                            HttpResponse.BodyHandlers.ofString()).body();
                    if (metrics.lines().anyMatch(l -> l.equals("etcd_server_is_leader 1"))) return m;
                } catch (IOException notNow) {
                    // another member may answer
                }
            }
            if (System.nanoTime() > deadline) throw new IllegalStateException("no etcd member leads within " + wait);
            Thread.sleep(100);
        }
    }

    private String name(int m) {
        return "e" + m;
    }

    private String peer(int m) {
        return "http://" + net.address(spaces.get(m)) + ":2380";
    }

    private String client(int m) {
        return "http://" + net.address(spaces.get(m)) + ":2379";
    }

    private void launch(int m) throws IOException {
        Path data = dir.resolve(name(m));
        Files.createDirectories(data);
        String initial = java.util.stream.IntStream.range(0, members.length).mapToObj(i -> name(i) + "=" + peer(i)).collect(Collectors.joining(","));
        List<String> cmd = new ArrayList<>(net.in(spaces.get(m)));
        cmd.addAll(List.of("etcd", "--name", name(m), "--data-dir", data.resolve("data").toString(),
                "--listen-client-urls", client(m), "--advertise-client-urls", client(m),
                "--listen-peer-urls", peer(m), "--initial-advertise-peer-urls", peer(m),
                "--initial-cluster", initial, "--initial-cluster-token", token, "--initial-cluster-state", "new", "--log-level", "error"));
        members[m] = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(data.resolve("etcd.log").toFile())).start();
    }

    private void awaitHealthy(int m, Duration wait) throws Exception {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            if (!members[m].isAlive()) throw new IllegalStateException("etcd " + name(m) + " exited with " + members[m].exitValue() + "; it said: " + log(m));
            try {
                String body = http.send(HttpRequest.newBuilder(URI.create(client(m) + "/health")).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                if (body.contains("\"true\"")) return;
            } catch (IOException notYet) {
                // not listening yet
            }
            if (System.nanoTime() > deadline) throw new IllegalStateException("etcd " + name(m) + " not healthy within " + wait + "; it said: " + log(m));
            Thread.sleep(100);
        }
    }

    private String log(int m) {
        try {
            return Files.readString(dir.resolve(name(m)).resolve("etcd.log"));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        try {
            killAll();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
