package dev.steward.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** on-demand, lingering and dynamic policies; references; needs ordering; jobs. */
class PoliciesTest extends AgentTestBase {

    static String svc(String name, String extra) {
        return "name: " + name + "\ncommand: " + Procs.httpServer() + "\n" + extra;
    }

    @Test
    void anOnDemandServiceRunsWhileReferenced() {
        agent.register(svc("od", "policy: on-demand\n"));
        assertThat(agent.service("od").path("state").asText()).isEqualTo("stopped");
        agent.ok("POST", "/v1/services/od/use", null);
        agent.ok("POST", "/v1/services/od/use", null);
        assertThat(agent.awaitState("od", "available").path("references").asInt()).isEqualTo(2);
        agent.ok("POST", "/v1/services/od/release", null);
        TestAgent.sleep(300);
        assertThat(agent.service("od").path("state").asText()).isEqualTo("available");
        agent.ok("POST", "/v1/services/od/release", null);
        agent.awaitState("od", "stopped");
        assertThat(agent.call("POST", "/v1/services/od/release", null).status()).isEqualTo(409);
    }

    @Test
    void aLingeringServiceStaysUpForItsLingerAfterTheLastRelease() {
        agent.register(svc("lin", "policy: lingering\nlinger: 1s\n"));
        agent.ok("POST", "/v1/services/lin/use", null);
        agent.awaitState("lin", "available");
        Instant released = Instant.now();
        agent.ok("POST", "/v1/services/lin/release", null);
        TestAgent.sleep(600);
        assertThat(agent.service("lin").path("state").asText()).isEqualTo("available");
        agent.awaitState("lin", "stopped");
        assertThat(Duration.between(released, Instant.now())).isGreaterThanOrEqualTo(Duration.ofMillis(950));
    }

    @Test
    void aDynamicServiceStaysBetweenMinAndMaxFollowingReferences() {
        agent.register(svc("dyn", "policy: dynamic\ninstances: {min: 1, max: 3}\n"));
        agent.await("dyn", v -> v.path("instances").size() == 1 && v.path("state").asText().equals("available"), Duration.ofSeconds(10));
        for (int i = 0; i < 5; i++) agent.ok("POST", "/v1/services/dyn/use", null);
        JsonNode v = agent.await("dyn", x -> x.path("instances").size() == 3, Duration.ofSeconds(10));
        assertThat(v.path("wanted").asInt()).isEqualTo(3);
        for (int i = 0; i < 5; i++) agent.ok("POST", "/v1/services/dyn/release", null);
        agent.await("dyn", x -> x.path("instances").size() == 1 && x.path("wanted").asInt() == 1, Duration.ofSeconds(10));
        agent.ok("POST", "/v1/services/dyn/start?instances=99", null);
        assertThat(agent.service("dyn").path("wanted").asInt()).isEqualTo(3);
    }

    /** An HTTP server on $PORT whose every answer carries X-Steward-Recommend with the number in ./recommend. */
    static final String RECOMMENDER = """
            import http.server, os
            class H(http.server.BaseHTTPRequestHandler):
                def do_GET(self):
                    self.send_response(200)
                    if os.path.exists('recommend'):
                        self.send_header('X-Steward-Recommend', open('recommend').read().strip())
                    self.end_headers()
                def log_message(self, *a): pass
            http.server.ThreadingHTTPServer(('127.0.0.1', int(os.environ['PORT'])), H).serve_forever()
            """;

    @Test
    void aPingMayRecommendACountWhichStaysWithinMinMaxAndAboveReferences() throws Exception {
        Path work = Files.createDirectories(tmp.resolve("rec"));
        Files.writeString(work.resolve("rec.py"), RECOMMENDER);
        agent.register("name: rec\ncommand: [python3, rec.py]\ndir: " + work
                + "\npolicy: dynamic\ninstances: {min: 1, max: 4}\nping: {http: /, interval: 100ms}\n");
        agent.await("rec", v -> v.path("instances").size() == 1 && v.path("state").asText().equals("available"), Duration.ofSeconds(10));
        Files.writeString(work.resolve("recommend"), "3");
        agent.await("rec", v -> v.path("instances").size() == 3 && v.path("wanted").asInt() == 3, Duration.ofSeconds(10));
        Files.writeString(work.resolve("recommend"), "99");
        agent.await("rec", v -> v.path("instances").size() == 4 && v.path("wanted").asInt() == 4, Duration.ofSeconds(10));
        agent.ok("POST", "/v1/services/rec/use", null);
        agent.ok("POST", "/v1/services/rec/use", null);
        Files.writeString(work.resolve("recommend"), "0");
        JsonNode v = agent.await("rec", x -> x.path("wanted").asInt() == 2 && x.path("instances").size() == 2, Duration.ofSeconds(10));
        assertThat(v.path("references").asInt()).isEqualTo(2);
        agent.ok("POST", "/v1/services/rec/release", null);
        agent.ok("POST", "/v1/services/rec/release", null);
        agent.await("rec", x -> x.path("wanted").asInt() == 1 && x.path("instances").size() == 1, Duration.ofSeconds(10));
    }

    @Test
    void aServiceStartsOnlyOnceWhatItNeedsIsAvailableAndHoldsAReferenceOnIt() throws Exception {
        Path work = Files.createDirectories(tmp.resolve("w"));
        agent.register("name: db\ncommand: [sleep, \"600\"]\npolicy: on-demand\ndir: " + work + "\nping: {exec: [test, -f, db-ready], interval: 100ms}\n");
        agent.register(svc("web", "needs: [db]\n"));
        JsonNode db = agent.awaitState("db", "waiting");
        assertThat(db.path("references").asInt()).isEqualTo(1);
        JsonNode web = agent.service("web");
        assertThat(web.path("state").asText()).isEqualTo("starting");
        assertThat(web.path("instances")).isEmpty();
        Files.writeString(work.resolve("db-ready"), "");
        agent.awaitState("web", "available");
        assertThat(agent.call("DELETE", "/v1/services/db", null).status()).isEqualTo(409);
        agent.ok("POST", "/v1/services/web/stop", null);
        agent.awaitState("web", "stopped");
        agent.awaitState("db", "stopped");
    }

    @Test
    void aCycleInNeedsIsRefusedAtRegister() {
        agent.register("name: a\ncommand: [sleep, \"1\"]\npolicy: on-demand\n");
        agent.register("name: b\ncommand: [sleep, \"1\"]\npolicy: on-demand\nneeds: [a]\n");
        TestAgent.Res r = agent.call("PATCH", "/v1/services/a?set=needs%3D%5Bb%5D", null);
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().path("details").get(0).asText()).isEqualTo("needs: a cycle: a -> b -> a");
        assertThat(agent.service("a").path("spec").has("needs")).isFalse();
        TestAgent.Res unknown = agent.call("POST", "/v1/services", "name: c\ncommand: [x]\nneeds: [nope]\n");
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.json().path("details").get(0).asText()).isEqualTo("needs[0]: no service 'nope' is registered");
    }

    @Test
    void aJobStartsWhatItNeedsRunsToCompletionAndReleasesIt() {
        agent.register(svc("dep", "policy: on-demand\nping: {http: /}\n"));
        JsonNode job = agent.ok("POST", "/v1/jobs", """
                kind: job
                name: fetch
                needs: [dep]
                command: [/bin/sh, -c, 'echo job ran; exit 7']
                """);
        String id = job.path("id").asText();
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!agent.get("/v1/jobs/" + id).path("state").asText().matches("succeeded|failed")) {
            assertThat(System.nanoTime()).isLessThan(deadline);
            TestAgent.sleep(20);
        }
        JsonNode done = agent.get("/v1/jobs/" + id);
        assertThat(done.path("state").asText()).isEqualTo("failed");
        assertThat(done.path("exit-code").asInt()).isEqualTo(7);
        assertThat(agent.call("GET", "/v1/jobs/" + id + "/logs", null).body()).contains("job ran");
        assertThat(agent.service("dep").path("statistics").path("starts").asInt()).isEqualTo(1);
        agent.awaitState("dep", "stopped");
    }

    @Test
    void aRunningJobIsStoppedOnRequestAndSaysSo() {
        JsonNode job = agent.ok("POST", "/v1/jobs", "kind: job\nname: forever\ncommand: [sleep, \"600\"]\n");
        String id = job.path("id").asText();
        awaitJob(id, "running");
        JsonNode stopping = agent.ok("POST", "/v1/jobs/" + id + "/stop", null);
        assertThat(stopping.path("id").asText()).isEqualTo(id);
        JsonNode done = awaitJob(id, "failed");
        assertThat(done.path("reason").asText()).startsWith("stopped: ");
        assertThat(done.path("ended").asText()).isNotEmpty();
        // stopping what has ended changes nothing; an unknown id is not found
        assertThat(agent.ok("POST", "/v1/jobs/" + id + "/stop", null).path("reason").asText()).isEqualTo(done.path("reason").asText());
        assertThat(agent.call("POST", "/v1/jobs/nope-00000000/stop", null).status()).isEqualTo(404);
    }

    private JsonNode awaitJob(String id, String state) {
        long deadline = System.nanoTime() + 30_000_000_000L;
        JsonNode v;
        while (!(v = agent.get("/v1/jobs/" + id)).path("state").asText().equals(state)) {
            assertThat(System.nanoTime()).as("job " + id + " " + state + " within 30 s: " + v).isLessThan(deadline);
            TestAgent.sleep(20);
        }
        return v;
    }
}
