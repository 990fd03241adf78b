package dev.steward.agent.store;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A real one-member etcd for tests (Debian's {@code etcd-server}): loopback, ports the system chose,
 * a data dir of its own; {@link #close} kills it and removes the data.
 */
public final class EtcdServer implements AutoCloseable {
    private final Process process;
    private final Path dataDir;
    private final Path certs;
    public final String endpoint;

    private EtcdServer(Process process, Path dataDir, String endpoint, Path certs) {
        this.process = process;
        this.dataDir = dataDir;
        this.endpoint = endpoint;
        this.certs = certs;
    }

    /** Why etcd cannot run here, or null when it can. */
    public static String unavailable() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, "etcd"))) return null;
        }
        return "no etcd binary on PATH (apt-get install etcd-server)";
    }

    /** Starts etcd and waits until it answers its health check (a few tries if a chosen port was taken meanwhile). */
    public static EtcdServer start() throws Exception {
        return start(null);
    }

    /**
     * As above; with {@code certs} (a directory that {@code steward agent certs} made), etcd serves its clients
     * over TLS with {@code etcd.pem} and takes only clients whose certificate {@code ca.pem} signed.
     */
    public static EtcdServer start(Path certs) throws Exception {
        Exception last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            Path dir = Files.createTempDirectory("steward-etcd");
            int client = freePort();
            int peer = freePort();
            String c = (certs == null ? "http" : "https") + "://127.0.0.1:" + client;
            String p = "http://127.0.0.1:" + peer;
            List<String> cmd = new java.util.ArrayList<>(List.of("etcd", "--name", "test", "--data-dir", dir.resolve("data").toString(),
                    "--listen-client-urls", c, "--advertise-client-urls", c, "--listen-peer-urls", p,
                    "--initial-advertise-peer-urls", p, "--initial-cluster", "test=" + p, "--log-level", "error"));
            if (certs != null) {
                cmd.addAll(List.of("--client-cert-auth", "--trusted-ca-file", certs.resolve("ca.pem").toString(),
                        "--cert-file", certs.resolve("etcd.pem").toString(), "--key-file", certs.resolve("etcd-key.pem").toString()));
            }
            Process proc = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("etcd.log").toFile()).start();
            EtcdServer s = new EtcdServer(proc, dir, c, certs);
            try {
                s.awaitHealthy(Duration.ofSeconds(30));
                return s;
            } catch (Exception e) {
                last = new IllegalStateException(e.getMessage() + "; etcd said: " + Files.readString(dir.resolve("etcd.log")), e);
                s.close();
            }
        }
        throw last;
    }

    public List<String> endpoints() {
        return List.of(endpoint);
    }

    /** The {@code --cluster} option's value for this server. */
    public String clusterUrl() {
        return certs == null ? "etcd://" + endpoint.substring("http://".length()) : "etcds://" + endpoint.substring("https://".length());
    }

    private void awaitHealthy(Duration wait) throws Exception {
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1));
        if (certs != null) {
            b.sslContext(dev.steward.agent.tls.ClusterTls.read(certs.resolve("ca.pem"), certs.resolve("etcd.pem"), certs.resolve("etcd-key.pem")).jdkContext());
        }
        HttpClient http = b.build();
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            if (!process.isAlive()) throw new IllegalStateException("etcd exited with " + process.exitValue());
            try {
                String body = http.send(HttpRequest.newBuilder(URI.create(endpoint + "/health")).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                if (body.contains("\"true\"")) return;
            } catch (IOException notYet) {
                // not listening yet
            }
            if (System.nanoTime() > deadline) throw new IllegalStateException("etcd did not become healthy within " + wait);
            Thread.sleep(50);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            return s.getLocalPort();
        }
    }

    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (var walk = Files.walk(dataDir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException ignored) {
            // a temp dir left behind
        }
    }
}
