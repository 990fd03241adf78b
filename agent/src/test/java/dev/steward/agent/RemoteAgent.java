package dev.steward.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;

/** An agent in its own JVM, so that a test can SIGKILL it, and a small client for its API. */
public final class RemoteAgent {
    final Process process;
    final String base;
    final String token;
    /** Where its gateway is reached (only known for an agent started in a namespace), else null. */
    final String gateway;
    private final HttpClient http;
    private final Path err;

    private RemoteAgent(Process process, String base, String token, String gateway, HttpClient http, Path err) {
        this.err = err;
        this.process = process;
        this.base = base;
        this.token = token;
        this.gateway = gateway;
        this.http = http;
    }

    /** Starts an agent on {@code data}; its stderr goes to {@code logs}; the process is added to {@code started}. */
    public static RemoteAgent start(Path data, Path logs, String dockerHost, List<Process> started) throws Exception {
        return start(data, logs, dockerHost, List.of(), started);
    }

    /** Starts an agent as above in a JVM given {@code jvmOptions} (like {@code -Xmx64m}). */
    public static RemoteAgent start(Path data, Path logs, String dockerHost, List<String> jvmOptions, List<Process> started) throws Exception {
        return start(data, logs, jvmOptions, dockerHost == null ? List.of() : List.of(dockerHost), started);
    }

    /** Starts an agent as above as node {@code node} of the cluster in the etcd at {@code cluster} ({@code etcd://H:P}). */
    public static RemoteAgent startNode(Path data, Path logs, String cluster, String node, List<Process> started) throws Exception {
        return start(data, logs, List.of(), List.of("-", cluster, node), started);
    }

    /** As above, with the node's {@code labels} ({@code k=v,...}). */
    public static RemoteAgent startNode(Path data, Path logs, String cluster, String node, String labels, List<Process> started) throws Exception {
        return start(data, logs, List.of(), List.of("-", cluster, node, labels), started);
    }

    /**
     * Starts node {@code node} as above, run through {@code prefix} (a network namespace), its API (HTTPS,
     * with a self-signed pair) and gateway bound on {@code host}, which is also what it advertises.
     */
    public static RemoteAgent startNodeOn(List<String> prefix, String host, Path data, Path logs, String cluster, String node,
                                          List<Process> started) throws Exception {
        RemoteAgent plain = start(prefix, data, logs, List.of("-D" + TestAgentMain.BIND + "=" + host), List.of("-", cluster, node), started);
        var cert = dev.steward.agent.tls.PemFiles.read("cert", data.resolve("tls").resolve("cert.pem"), "key", data.resolve("tls").resolve("key.pem"));
        HttpClient trusting = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2))
                .sslContext(TestAgent.trusting(cert.certificate())).build();
        String base = "https://" + host + plain.base.substring(plain.base.lastIndexOf(':'));
        return new RemoteAgent(plain.process, base, plain.token, "http://" + host + ":" + plain.gateway, trusting, plain.err);
    }

    /** As above, advertising (and listening on) {@code address}, a loopback one such as 127.0.0.2. */
    public static RemoteAgent startNode(Path data, Path logs, String cluster, String node, String labels, String address,
                                        List<Process> started) throws Exception {
        return start(data, logs, List.of(), List.of("-", cluster, node, labels.isEmpty() ? "-" : labels, address), started);
    }

    private static RemoteAgent start(Path data, Path logs, List<String> jvmOptions, List<String> args, List<Process> started) throws Exception {
        return start(List.of(), data, logs, jvmOptions, args, started);
    }

    private static RemoteAgent start(List<String> prefix, Path data, Path logs, List<String> jvmOptions, List<String> args,
                                     List<Process> started) throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        List<String> cmd = new java.util.ArrayList<>(prefix);
        cmd.add(java);
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), TestAgentMain.class.getName(), data.toString()));
        cmd.addAll(args);
        Path err = logs.resolve("agent-" + data.getFileName() + "-" + ProcessHandle.current().pid() + "-" + System.nanoTime() + ".err");
        Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
        started.add(p);
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream()));
        String line = out.readLine();
        if (line == null || !line.startsWith("port=")) {
            // the agent's own words, not just where they were (the test's directory is gone by the time one reads the report)
            p.waitFor(5, TimeUnit.SECONDS);
            String said = Files.exists(err) ? Files.readString(err) : "";
            said = String.join("\n", said.lines().filter(l -> !l.startsWith("WARNING:") && !l.contains(" INFO ")).toList());
            throw new AssertionError("agent start: its first line was " + line + (p.isAlive() ? "" : ", it exited " + p.exitValue())
                    + "; its stderr:\n" + said);
        }
        String gateway = jvmOptions.stream().anyMatch(o -> o.startsWith("-D" + TestAgentMain.BIND)) ? out.readLine().substring("gateway=".length()) : null;
        String host = args.size() > 4 ? args.get(4) : "127.0.0.1";
        return new RemoteAgent(p, "http://" + host + ":" + line.substring(5), Files.readString(data.resolve("admin.token")).strip(), gateway,
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build(), err);
    }

    /** What the agent wrote on stderr so far, less the JVM's warnings and the info lines: for a failing test's message. */
    public String said() {
        try {
            String all = Files.exists(err) ? Files.readString(err) : "";
            return String.join("\n", all.lines().filter(l -> !l.startsWith("WARNING:") && !l.contains(" INFO ")).toList());
        } catch (java.io.IOException e) {
            return "(its stderr could not be read: " + e + ")";
        }
    }

    /** The status and body of a call, whatever the status. */
    public TestAgent.Res send(String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "Bearer " + token)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) b.header("Content-Type", "application/yaml");
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new TestAgent.Res(r.statusCode(), r.body());
    }

    public JsonNode call(String method, String path, String body) throws Exception {
        TestAgent.Res r = send(method, path, body);
        assertThat(r.status()).as(r.body()).isLessThan(300);
        return Json.tree(r.body());
    }

    public String text(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "Bearer " + token).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    /**
     * Waits until this agent shows service {@code name} as {@code ok} wants it. A service registered through another
     * node reaches this one through its watch: until then it is not found here (404), which is waited out too.
     */
    public JsonNode await(String name, Predicate<JsonNode> ok) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            TestAgent.Res r = send("GET", "/v1/services/" + name, null);
            if (r.status() != 404) {
                assertThat(r.status()).as(r.body()).isLessThan(300);
                JsonNode v = Json.tree(r.body());
                if (ok.test(v)) return v;
            }
            assertThat(System.nanoTime()).as("waiting on %s: %s", name, r.body()).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    /** The gateway's URL, as the agent reports it. */
    public String gateway() throws Exception {
        return call("GET", "/v1/agent", null).path("listeners").path("gateway").asText();
    }

    public void kill9() throws Exception {
        process.destroyForcibly().waitFor();
    }
}
