package dev.steward.agent.main;

import dev.steward.agent.Agent;
import dev.steward.agent.config.AgentConfig;
import dev.steward.agent.isolate.RunAs;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * A short run through the agent's own paths (start, the API, a spawn, the gateway, a restart that
 * adopts, a start on demand through the gateway, a stop), in a temporary data dir on ports the system chooses, so that the class cache the
 * JVM writes when it exits holds what a real start needs (and what a start on demand needs: classes met first there are
 * loaded and linked from the jars on the request's path). The launcher runs it once after a build.
 */
final class CacheTraining {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private String token = "";

    private CacheTraining() {}

    static int run() {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("steward-cache-training-");
            new CacheTraining().train(config(dir.resolve("data")));
            return 0;
        } catch (Exception e) {
            System.err.println("steward: class cache training failed: " + e);
            return 1;
        } finally {
            if (dir != null) delete(dir);
        }
    }

    /**
     * The training agent's configuration. An agent running as root runs its programs as a user of their own (its
     * default user, nobody unless chosen), so each spawn passes a user to the helper; the training's spawns do too
     * (as root, which can read the training's files), so that this path is in the cache as well.
     */
    static AgentConfig config(Path data) {
        AgentConfig c = AgentConfig.loopback(data, "training", Duration.ofSeconds(2), false, null);
        if (!"root".equals(System.getProperty("user.name"))) return c;
        return c.withRunAs(new RunAs("root", true));
    }

    private void train(AgentConfig config) throws Exception {
        Agent first = Agent.start(config);
        token = Files.readString(config.dataDir().resolve(dev.steward.agent.auth.Tokens.BOOTSTRAP_FILE)).strip();
        String api = "http://127.0.0.1:" + first.apiPort();
        call("POST", api + "/v1/services", "name: sleeper\ncommand: [sleep, \"60\"]\nping: none\n");
        await(api, "sleeper", s -> s.contains("\"state\":\"available\""));
        first.close(); // the sleeper keeps running: the next agent adopts it
        Agent second = Agent.start(config);
        try {
            api = "http://127.0.0.1:" + second.apiPort();
            call("POST", api + "/v1/services", "name: self\nping-only: {endpoint: \"" + api + "\"}\nping: {http: /v1/health, interval: 50ms}\n");
            await(api, "self", s -> s.contains("\"state\":\"available\""));
            for (int i = 0; i < 50; i++) {
                call("GET", "http://127.0.0.1:" + second.gatewayPort() + "/self/v1/health", null);
                call("GET", api + "/v1/services", null);
            }
            call("POST", api + "/v1/services/sleeper/stop", "");
            await(api, "sleeper", s -> s.contains("\"state\":\"stopped\""));
            startOnDemand(api, "http://127.0.0.1:" + second.gatewayPort(), config.dataDir());
        } finally {
            second.close();
        }
    }

    /**
     * A request to a service at zero through the gateway (held, a spawn, HTTP pings, the held request sent on): the
     * program is the JDK's own small file server, there wherever the agent runs. Left out when it is not.
     */
    private void startOnDemand(String api, String gateway, Path dir) throws IOException, InterruptedException {
        Path server = ProcessHandle.current().info().command().map(Path::of).map(java -> java.resolveSibling("jwebserver")).orElse(null);
        if (server == null || !Files.isExecutable(server)) return;
        call("POST", api + "/v1/services", "name: lazy\npolicy: on-demand\ncommand: [\"" + server + "\", -b, 127.0.0.1, -p, \"${PORT}\", -d, \""
                + dir.toAbsolutePath() + "\", -o, none]\nping: {http: /, interval: 50ms}\n");
        call("GET", gateway + "/lazy/", null);
        await(api, "lazy", s -> s.contains("\"state\":\"stopped\""));
    }

    private String call(String method, String url, String body) throws IOException, InterruptedException {
        HttpRequest.BodyPublisher b = body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body);
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(url)).method(method, b).timeout(WAIT).header("Authorization", "Bearer " + token);
        if (body != null) req.header("Content-Type", "application/yaml");
        HttpResponse<String> r = http.send(req.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() >= 300) throw new IOException(method + " " + url + ": " + r.statusCode() + " " + r.body());
        return r.body();
    }

    private void await(String api, String service, Predicate<String> test) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!test.test(call("GET", api + "/v1/services/" + service, null))) {
            if (System.nanoTime() > deadline) throw new IOException(service + " did not get there within " + WAIT);
            Thread.sleep(20);
        }
    }

    private static void delete(Path dir) {
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary dir: the system clears it in the end
        }
    }
}
