package dev.steward.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Register, query, modify, stop, start, apply and unregister through the API with real processes. */
class ServiceLifecycleTest extends AgentTestBase {

    static String web(String name) {
        return "kind: service\nname: " + name + "\ncommand: " + Procs.httpServer() + "\nping: {http: /, interval: 1s}\n";
    }

    static int httpStatus(int port) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    void aRegisteredServiceBecomesAvailableAndAnswersOnItsPort() throws Exception {
        JsonNode created = agent.register(web("hello"));
        assertThat(created.path("name").asText()).isEqualTo("hello");
        JsonNode v = agent.awaitState("hello", "available");
        assertThat(v.path("kind").asText()).isEqualTo("service");
        assertThat(v.path("policy").asText()).isEqualTo("permanent");
        assertThat(v.path("health").asText()).isEqualTo("healthy");
        assertThat(v.path("owner").asText()).isNotEmpty();
        assertThat(v.path("uuid").asText()).hasSize(36);
        JsonNode i = v.path("instances").get(0);
        assertThat(i.path("state").asText()).isEqualTo("running");
        assertThat(i.path("node").asText()).isEqualTo("test-node");
        assertThat(i.path("restarts").asInt()).isZero();
        assertThat(Instant.parse(i.path("started").asText())).isBeforeOrEqualTo(Instant.now());
        assertThat(Procs.alive(i.path("pid").asLong())).isTrue();
        assertThat(httpStatus(i.path("port").asInt())).isEqualTo(200);
        assertThat(v.path("statistics").path("starts").asInt()).isEqualTo(1);
        JsonNode list = agent.get("/v1/services");
        assertThat(list).hasSize(1);
        assertThat(list.get(0).path("name").asText()).isEqualTo("hello");
    }

    @Test
    void stopEndsTheInstancesAndStartBringsThemBack() {
        agent.register(web("svc"));
        long pid = agent.awaitState("svc", "available").path("instances").get(0).path("pid").asLong();
        agent.ok("POST", "/v1/services/svc/stop", null);
        JsonNode v = agent.awaitState("svc", "stopped");
        assertThat(v.path("instances")).isEmpty();
        TestAgent.sleep(50);
        assertThat(Procs.alive(pid)).isFalse();
        agent.ok("POST", "/v1/services/svc/start?instances=2", null);
        v = agent.await("svc", x -> x.path("state").asText().equals("available")
                && x.path("instances").size() == 2, java.time.Duration.ofSeconds(20));
        assertThat(v.path("instances").get(0).path("port").asInt()).isNotEqualTo(v.path("instances").get(1).path("port").asInt());
    }

    @Test
    void modifyWithSetChangesTheCountAndTheEnvironmentRestartsInstances() {
        agent.register(web("m"));
        long pid = agent.awaitState("m", "available").path("instances").get(0).path("pid").asLong();
        agent.ok("PATCH", "/v1/services/m?set=instances%3D2", null);
        JsonNode v = agent.await("m", x -> x.path("instances").size() == 2 && x.path("state").asText().equals("available"), java.time.Duration.ofSeconds(20));
        assertThat(v.path("instances").findValuesAsText("pid")).contains(Long.toString(pid));
        agent.ok("PATCH", "/v1/services/m?set=env.GREETING%3Dhi", null);
        v = agent.await("m", x -> x.path("instances").size() == 2 && x.path("instances").findValuesAsText("pid").stream()
                .noneMatch(p -> p.equals(Long.toString(pid))) && x.path("state").asText().equals("available"), java.time.Duration.ofSeconds(20));
        assertThat(v.path("spec").path("env").path("GREETING").asText()).isEqualTo("hi");
    }

    @Test
    void applyRegistersThenModifies() {
        agent.ok("PUT", "/v1/services/ap", web("ap"));
        agent.awaitState("ap", "available");
        agent.ok("PUT", "/v1/services/ap", web("ap") + "instances: 2\n");
        agent.await("ap", x -> x.path("instances").size() == 2, java.time.Duration.ofSeconds(20));
        assertThat(agent.get("/v1/services")).hasSize(1);
    }

    @Test
    void codeCanComeFromAnArchiveAndAHostileOneIsRefusedAtRegister() throws Exception {
        java.nio.file.Path site = java.nio.file.Files.createDirectories(tmp.resolve("site"));
        java.nio.file.Files.writeString(site.resolve("index.html"), "from the archive");
        java.nio.file.Path archive = tmp.resolve("site.tar.gz");
        Process tar = new ProcessBuilder("tar", "czf", archive.toString(), "-C", site.toString(), "index.html").start();
        assertThat(tar.waitFor()).isZero();
        agent.register("name: packed\ndir: " + archive + "\ncommand: " + Procs.httpServer() + "\nping: {http: /}\n");
        JsonNode i = agent.awaitState("packed", "available").path("instances").get(0);
        String page = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + i.path("port").asInt() + "/index.html")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertThat(page).isEqualTo("from the archive");

        java.nio.file.Path evil = tmp.resolve("evil.tar");
        Process bad = new ProcessBuilder("tar", "cf", evil.toString(), "-P", "--transform", "s,^,../../,", "-C", site.toString(), "index.html").start();
        assertThat(bad.waitFor()).isZero();
        TestAgent.Res r = agent.call("POST", "/v1/services", "name: evil\ndir: " + evil + "\ncommand: [x]\n");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().path("details").get(0).asText()).startsWith("dir: evil.tar: entry ").contains("climbs out of the archive");
        assertThat(agent.call("GET", "/v1/services/evil", null).status()).isEqualTo(404);
    }

    @Test
    void unregisterStopsAndForgets() {
        agent.register(web("gone"));
        long pid = agent.awaitState("gone", "available").path("instances").get(0).path("pid").asLong();
        agent.ok("DELETE", "/v1/services/gone", null);
        assertThat(agent.call("GET", "/v1/services/gone", null).status()).isEqualTo(404);
        TestAgent.sleep(50);
        assertThat(Procs.alive(pid)).isFalse();
        assertThat(agent.get("/v1/services")).isEmpty();
    }

    @Test
    void registeredServicesSurviveAnAgentRestart() throws Exception {
        agent.register(web("keep"));
        agent.register("name: later\ncommand: [sleep, \"600\"]\npolicy: on-demand\nping: {exec: [\"true\"]}\n");
        agent.awaitState("keep", "available");
        agent.close();
        agent = TestAgent.start(tmp.resolve("data"));
        JsonNode list = agent.get("/v1/services");
        assertThat(list).hasSize(2);
        assertThat(list.get(0).path("name").asText()).isEqualTo("keep");
        assertThat(list.get(1).path("name").asText()).isEqualTo("later");
        assertThat(agent.service("later").path("state").asText()).isEqualTo("stopped");
        agent.awaitState("keep", "available");
    }

    @Test
    void aCustomServiceIsNotStoredAndIsGoneWhenStopped() throws Exception {
        agent.ok("POST", "/v1/services?run=true", web("adhoc"));
        JsonNode v = agent.awaitState("adhoc", "available");
        assertThat(v.path("custom").asBoolean()).isTrue();
        agent.ok("POST", "/v1/services/adhoc/stop", null);
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (agent.call("GET", "/v1/services/adhoc", null).status() != 404) {
            assertThat(System.nanoTime()).isLessThan(deadline);
            TestAgent.sleep(20);
        }
        agent.close();
        agent = TestAgent.start(tmp.resolve("data"));
        assertThat(agent.get("/v1/services")).isEmpty();
    }

    @Test
    void instancesGetTheirEnvironmentAndLogToFiles() throws Exception {
        agent.register("""
                name: envy
                command: [/bin/sh, -c, 'echo "port=$PORT service=$STEWARD_SERVICE instance=$STEWARD_INSTANCE greeting=$GREETING arg=$1"; echo to-stderr >&2; exec sleep 600', sh, "${GREETING}"]
                env: {GREETING: hi}
                ping: {exec: ["true"]}
                """);
        JsonNode v = agent.awaitState("envy", "available");
        JsonNode i = v.path("instances").get(0);
        String expected = "port=" + i.path("port").asInt() + " service=envy instance=" + i.path("id").asText() + " greeting=hi arg=hi";
        String logs = "";
        for (int n = 0; n < 100 && !logs.contains("to-stderr"); n++) {
            logs = agent.call("GET", "/v1/services/envy/logs", null).body();
            TestAgent.sleep(20);
        }
        assertThat(logs).contains(expected).contains("to-stderr");
        assertThat(Path.of(i.path("log").asText())).exists().startsWith(tmp.resolve("data"));
        // The agent holds no pipe to the instance: its stdout is its output file, which the agent copies into the log, each line stamped.
        Path log = Path.of(i.path("log").asText());
        assertThat(Path.of("/proc/" + i.path("pid").asLong() + "/fd/1").toRealPath()).isEqualTo(dev.steward.agent.logs.LogStamper.raw(log).toRealPath());
        assertThat(java.nio.file.Files.readAllLines(log)).anyMatch(l -> dev.steward.agent.logs.Stamp.parse(l).time() != null
                && dev.steward.agent.logs.Stamp.parse(l).text().equals(expected));
    }
}
