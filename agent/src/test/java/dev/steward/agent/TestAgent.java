package dev.steward.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.steward.agent.config.AgentConfig;
import dev.steward.agent.tls.TlsPair;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A real agent in the test JVM: port 0, its own data dir, real child processes and SQLite. Closing
 * it stops every instance it started.
 */
public final class TestAgent implements AutoCloseable {
    private final Agent agent;
    private final HttpClient http;
    public final Path dataDir;
    public final String base;
    public final String gateway;
    /** The agent's bootstrap admin token, which {@link #call} sends unless told otherwise. */
    public final String token;

    private TestAgent(AgentConfig config, HttpClient http) throws IOException {
        this.dataDir = config.dataDir();
        this.http = http;
        this.agent = Agent.start(config);
        this.base = agent.apiUrl();
        this.gateway = agent.gatewayUrl();
        this.token = java.nio.file.Files.readString(dataDir.resolve("admin.token")).strip();
    }

    private static AgentConfig config(Path dataDir, String dockerHost) {
        return AgentConfig.loopback(dataDir, "test-node", Duration.ofSeconds(2), true, dockerHost);
    }

    private static HttpClient plainClient() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    /** {@code b} with the admin token. */
    public HttpRequest.Builder authorized(HttpRequest.Builder b) {
        return b.header("Authorization", "Bearer " + token);
    }

    /** A request to the API with the admin token. */
    public HttpRequest.Builder request(String path) {
        return authorized(HttpRequest.newBuilder(URI.create(base + path)));
    }

    /** An agent whose programs run as {@code runAs} says (the others run as the agent's user). */
    public static TestAgent start(Path dataDir, dev.steward.agent.isolate.RunAs runAs) throws IOException {
        AgentConfig c = config(dataDir, null);
        return new TestAgent(new AgentConfig(c.api(), c.gateway(), c.rpc(), c.domain(), c.dataDir(), c.nodeName(), c.stopGrace(),
                c.applyAtStart(), c.dev(), c.dockerHost(), runAs, c.apiNames(), c.tls()), plainClient());
    }

    public static TestAgent start(Path dataDir) throws IOException {
        return start(dataDir, (String) null);
    }

    /** An agent in dev mode as node {@code node} of the cluster in the etcd at {@code cluster} ({@code etcd://H:P}). */
    public static TestAgent startNode(Path dataDir, String cluster, String node) throws IOException {
        return new TestAgent(config(dataDir, null).withNodeName(node).withCluster(dev.steward.agent.config.Cluster.parse(cluster, null, List.of())),
                plainClient());
    }

    /** An agent whose container isolate talks to the engine at {@code dockerHost}. */
    public static TestAgent start(Path dataDir, String dockerHost) throws IOException {
        return new TestAgent(config(dataDir, dockerHost), plainClient());
    }

    /** An agent whose API and gateway serve HTTPS with {@code pair}, called by a client that trusts its certificate. */
    public static TestAgent startTls(Path dataDir, TlsPair pair) throws IOException {
        return new TestAgent(config(dataDir, null).withTls(new AgentConfig.Tls(pair, pair, false)),
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(trusting(pair.certificate())).build());
    }

    /** A TLS context that trusts {@code cert} and nothing else. */
    public static SSLContext trusting(X509Certificate cert) {
        try {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            store.setCertificateEntry("agent", cert);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(store);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public Agent agent() {
        return agent;
    }

    /** A response: status and body. */
    public record Res(int status, String body) {
        public JsonNode json() {
            return Json.tree(body);
        }
    }

    /**
     * Calls the API with the admin token, unless {@code headers} has an {@code Authorization} of its
     * own (an empty value: none at all); a body goes as YAML unless {@code headers} says otherwise.
     */
    public Res call(String method, String path, String body, Map<String, String> headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        java.util.Set<String> given = new java.util.TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        given.addAll(headers.keySet());
        headers.forEach((k, v) -> {
            if (!v.isEmpty()) b.header(k, v);
        });
        if (!given.contains("Authorization")) b.header("Authorization", "Bearer " + token);
        if (body != null && !given.contains("Content-Type")) b.header("Content-Type", "application/yaml");
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Res(r.statusCode(), r.body());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public Res call(String method, String path, String body) {
        return call(method, path, body, Map.of());
    }

    public JsonNode ok(String method, String path, String body) {
        Res r = call(method, path, body);
        if (r.status() >= 300) throw new AssertionError(method + " " + path + " -> " + r.status() + ": " + r.body());
        return r.json();
    }

    public JsonNode get(String path) {
        return ok("GET", path, null);
    }

    public JsonNode register(String spec) {
        return ok("POST", "/v1/services", spec);
    }

    public JsonNode service(String name) {
        return get("/v1/services/" + name);
    }

    /** Waits until the service's view matches; fails with the last view after {@code timeout}. */
    public JsonNode await(String name, Predicate<JsonNode> condition, Duration timeout) {
        return awaitAt("/v1/services/" + name, name, condition, timeout);
    }

    /** Waits until the function's info matches; fails saying {@code what}, with the last info, after {@code timeout}. */
    public JsonNode awaitFunction(String name, String what, Predicate<JsonNode> condition, Duration timeout) {
        return awaitAt("/v1/functions/" + name, what, condition, timeout);
    }

    private JsonNode awaitAt(String path, String what, Predicate<JsonNode> condition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonNode v = get(path);
        while (!condition.test(v)) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting on " + what + ": " + v);
            sleep(20);
            v = get(path);
        }
        return v;
    }

    /** Waits until {@code condition} holds; fails saying {@code what} after {@code timeout}. */
    public static void awaitTrue(String what, java.util.function.BooleanSupplier condition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting until " + what);
            sleep(20);
        }
    }

    public JsonNode awaitState(String name, String state) {
        return await(name, v -> v.path("state").asText().equals(state), Duration.ofSeconds(20));
    }

    /** Reads lines of a streamed response on a virtual thread into {@code lines}. */
    public java.io.InputStream follow(String path, java.util.List<String> lines) throws Exception {
        java.net.http.HttpResponse<java.io.InputStream> r = http.send(request(path).build(), java.net.http.HttpResponse.BodyHandlers.ofInputStream());
        assertThat(r.statusCode()).isEqualTo(200);
        java.io.InputStream in = r.body();
        Thread.ofVirtual().start(() -> {
            try (java.io.BufferedReader br = new java.io.BufferedReader(new java.io.InputStreamReader(in))) {
                String line;
                while ((line = br.readLine()) != null) lines.add(line);
            } catch (Exception ignored) {
                // closed by the test
            }
        });
        return in;
    }

    public static void awaitLine(java.util.List<String> lines, String contains) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (lines.stream().noneMatch(l -> l.contains(contains))) {
            assertThat(System.nanoTime()).as("no line with " + contains + " in " + lines).isLessThan(deadline);
            sleep(20);
        }
    }

    public static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        agent.close();
    }
}
