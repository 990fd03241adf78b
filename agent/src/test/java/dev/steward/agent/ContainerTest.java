package dev.steward.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.steward.agent.isolate.NodeScope;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The container isolate against a real Podman serving the Docker Engine API. */
class ContainerTest {
    static Podman podman;
    static Path podmanDir;
    @TempDir Path tmp;
    TestAgent agent;
    Path www;
    final List<Process> remotes = new ArrayList<>();

    @BeforeAll
    static void startPodman() throws Exception {
        String why = Podman.unavailable();
        assumeTrue(why == null, "container tests skipped: " + why);
        podmanDir = Files.createTempDirectory("steward-podman");
        podman = Podman.start(podmanDir);
    }

    @AfterAll
    static void stopPodman() {
        if (podman != null) podman.close();
    }

    @BeforeEach
    void start() throws Exception {
        agent = TestAgent.start(tmp.resolve("data"), podman.host);
        www = Files.createDirectories(tmp.resolve("www"));
        Files.writeString(www.resolve("index.html"), "from a container");
        JsonNode unavailable = agent.get("/v1/agent").path("isolates").path("unavailable").path("container");
        assertThat(unavailable.isMissingNode()).as(unavailable.toString()).isTrue();
    }

    @AfterEach
    void stop() {
        if (agent != null) agent.close();
        remotes.forEach(Process::destroyForcibly);
    }

    String web(String name) {
        return "name: " + name + "\nisolate: container\nimage: " + Podman.IMAGE + "\ndir: " + www
                + "\ncommand: [httpd, -f, -p, \"127.0.0.1:${PORT}\", -h, " + www + "]\nping: {http: /index.html, interval: 200ms}\n";
    }

    /** The start of the names of this agent's containers of {@code service}. */
    static String prefix(Path dataDir, String service) throws Exception {
        return "steward-" + NodeScope.of(dataDir).id() + "-" + service + "-";
    }

    static HttpResponse<String> get(int port, Duration timeout) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/index.html")).timeout(timeout).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aContainerRunsPausesResumesAndIsRemovedWhenStopped() throws Exception {
        agent.register(web("box"));
        JsonNode i = agent.await("box", v -> v.path("state").asText().equals("available"), Duration.ofSeconds(60)).path("instances").get(0);
        int port = i.path("port").asInt();
        assertThat(get(port, Duration.ofSeconds(5)).body()).isEqualTo("from a container");
        assertThat(podman.containers()).contains(prefix(agent.dataDir, "box") + i.path("id").asText());

        agent.ok("POST", "/v1/services/box/pause", null);
        assertThat(agent.service("box").path("instances").get(0).path("state").asText()).isEqualTo("paused");
        boolean answered;
        try {
            get(port, Duration.ofMillis(500));
            answered = true;
        } catch (java.net.http.HttpTimeoutException e) {
            answered = false;
        }
        assertThat(answered).as("a paused container does not answer").isFalse();
        agent.ok("POST", "/v1/services/box/resume", null);
        assertThat(get(port, Duration.ofSeconds(5)).statusCode()).isEqualTo(200);

        agent.ok("POST", "/v1/services/box/stop", null);
        agent.await("box", v -> v.path("state").asText().equals("stopped"), Duration.ofSeconds(30));
        assertThat(podman.containers()).doesNotContain(prefix(agent.dataDir, "box"));
    }

    @Test
    void aContainersOutputReachesTheServiceLogsAndItsExitStatusIsSeen() {
        agent.register("name: talk\nisolate: container\nimage: " + Podman.IMAGE + "\nping: none\nrestart: {failures-limit: 1}\n"
                + "command: [/bin/sh, -c, 'echo hello from $STEWARD_SERVICE on $PORT; sleep 1; exit 4']\n");
        JsonNode v = agent.await("talk", x -> x.path("state").asText().equals("disabled"), Duration.ofSeconds(60));
        assertThat(v.path("statistics").path("last-exit-reason").asText()).isEqualTo("exit status 4");
        assertThat(agent.call("GET", "/v1/services/talk/logs", null).body()).contains("hello from talk on ");
    }

    @Test
    void aContainerNobodyAdoptsIsRemovedWhenTheAgentStartsAndAnotherAgentsIsNot() throws Exception {
        String mine = prefix(agent.dataDir, "ghost") + "x1";
        String theirs = "steward-0ther0ne-ghost-x1";
        assertThat(podman.run("podman", "run", "-d", "--name", mine, "--label", "dev.steward.scope=" + NodeScope.of(agent.dataDir).id(),
                "--label", "dev.steward.service=ghost", "--label", "dev.steward.instance=x1", Podman.IMAGE, "sleep", "600")).isZero();
        assertThat(podman.run("podman", "run", "-d", "--name", theirs, "--label", "dev.steward.scope=0ther0ne",
                "--label", "dev.steward.service=ghost", "--label", "dev.steward.instance=x1", Podman.IMAGE, "sleep", "600")).isZero();
        try {
            assertThat(podman.containers()).contains(mine, theirs);
            agent.close();
            agent = TestAgent.start(tmp.resolve("data"), podman.host);
            // leftovers go once the agent serves, in the background
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (podman.containers().contains(mine)) {
                assertThat(System.nanoTime()).as("the agent's own leftover is removed").isLessThan(deadline);
                Thread.sleep(50);
            }
            assertThat(podman.containers()).contains(theirs);
        } finally {
            podman.run("podman", "rm", "-f", "-t", "0", theirs);
        }
    }

    @Test
    void aContainerIsAdoptedAfterTheAgentIsKilled() throws Exception {
        agent.close();
        agent = null;
        Path data = tmp.resolve("remote");
        RemoteAgent a = RemoteAgent.start(data, tmp, podman.host, remotes);
        a.call("POST", "/v1/services", web("kept"));
        JsonNode before = a.await("kept", v -> v.path("state").asText().equals("available")).path("instances").get(0);
        a.kill9();
        RemoteAgent b = RemoteAgent.start(data, tmp, podman.host, remotes);
        JsonNode after = b.await("kept", v -> v.path("state").asText().equals("available")
                && v.path("instances").get(0).path("reason").asText().startsWith("adopted")).path("instances").get(0);
        assertThat(after.path("pid").asLong()).isEqualTo(before.path("pid").asLong());
        assertThat(after.path("reason").asText()).contains("adopted");
        assertThat(get(after.path("port").asInt(), Duration.ofSeconds(5)).body()).isEqualTo("from a container");
        b.call("POST", "/v1/services/kept/stop", null);
        b.await("kept", v -> v.path("state").asText().equals("stopped"));
        assertThat(podman.containers()).doesNotContain(prefix(data, "kept"));
    }

    @Test
    void anAppsWorkersRunInContainersOfTheProfilesImage() throws Exception {
        // busybox has no Python: the host's is lent to the container, read-only paths bound at their own place
        TestApps.run(agent, "boxed", "{\"isolate\": {\"type\": \"container\", \"args\": {\"image\": \"" + Podman.IMAGE
                + "\", \"binds\": \"/usr,/lib,/lib64,/etc/alternatives\"}}}", java.util.Map.of());
        try (dev.steward.protocol.Client c = dev.steward.protocol.Client.connect("127.0.0.1", agent.agent().rpcPort(), Duration.ofSeconds(60))) {
            dev.steward.protocol.Client.App app = c.app("boxed");
            assertThat(new String(app.enqueue("echo", "from a container".getBytes()).readAll())).isEqualTo("from a container");
            String worker = new String(app.enqueue("whoami", new byte[0]).readAll());
            assertThat(podman.containers()).contains(prefix(agent.dataDir, "app-boxed") + worker);
        }
    }
}
