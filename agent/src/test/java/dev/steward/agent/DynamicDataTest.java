package dev.steward.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Dynamic services' data while an instance runs (issue 14): state checkpoints, the idle probe, inputs pushed again. */
class DynamicDataTest extends DynamicAgentTest {
    /** Counts in its state folder on /bump; says the input it read at start; idle (99 s) once its root holds "done". */
    static final String KEEPER = """
            import http.server, os, json
            root, state, inputs = os.environ["STEWARD_ROOT"], os.environ.get("STEWARD_STATE"), os.environ.get("STEWARD_INPUTS")
            def read(p, default=""):
                return open(p).read().strip() if p and os.path.exists(p) else default
            given = read(inputs and os.path.join(inputs, "hello.txt"))
            class H(http.server.BaseHTTPRequestHandler):
                def do_GET(self):
                    if self.path == "/idle":
                        body = json.dumps({"seconds_inactive": 99 if os.path.exists(os.path.join(root, "done")) else 0})
                    else:
                        count = int(read(os.path.join(state, "count"), "0"))
                        if self.path == "/bump":
                            count += 1
                            open(os.path.join(state, "count"), "w").write(str(count))
                        body = "count=%d input=%s" % (count, given)
                    b = body.encode()
                    self.send_response(200); self.send_header("Content-Length", str(len(b))); self.end_headers(); self.wfile.write(b)
                def log_message(self, *a): pass
            http.server.ThreadingHTTPServer(("0.0.0.0", int(os.environ["PORT"])), H).serve_forever()
            """;

    @BeforeEach
    void registerKeeper() throws Exception {
        Files.writeString(tmp.resolve("keeper.py"), KEEPER);
        agent.register("""
                name: keeper
                parts:
                  web: {command: [python3, %s], restart-on-inputs: true, restart: {failures-limit: 1}}
                entrypoint: web:8080
                paths: {inputs: /in, state: [/work], state-save: 1s}
                idle: {http: /idle, timeout: 5s, interval: 200ms}
                """.formatted(tmp.resolve("keeper.py")));
    }

    private String open() {
        TestAgent.Res r = agent.call("POST", "/v1/services/keeper/open", null);
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        assertThat(r.json().path("state").asText()).as(r.body()).isEqualTo("running");
        return r.json().path("uuid").asText();
    }

    private String page(String uuid, String path) throws Exception {
        TestAgent.Res r = DynamicRig.get(agent.agent().gatewayPort(), "127.0.0.1", "/x/" + uuid + path, agent.token);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.body();
    }

    private Path saved() {
        return tmp.resolve("data/dynamic-state/keeper/admin/work/count");
    }

    /** Waits for a step event of {@code uuid} that comes after the first {@code after} events, and returns it. */
    private String awaitStep(String uuid, String step, int after) {
        return DynamicRig.awaitEvent(events, uuid, after, "\"step\":\"" + step + "\"");
    }

    @Test
    void stateIsCheckpointedWhileOpenAndASigkilledPartLosesNone() throws Exception {
        String uuid = open();
        for (int k = 1; k <= 3; k++) assertThat(page(uuid, "/bump")).isEqualTo("count=" + k + " input=");
        String checkpoint = awaitStep(uuid, "checkpoint state", events.size());
        assertThat(checkpoint).contains("\"ok\":true");
        assertThat(saved()).as("checkpointed while the instance runs").hasContent("3");
        assertThat(agent.get("/v1/dynamic/" + uuid).path("state").asText()).isEqualTo("running");

        int before = events.size();
        String ns = "steward-" + dev.steward.agent.isolate.NodeScope.of(tmp.resolve("data")).id() + "-" + uuid;
        assertThat(page(uuid, "/bump")).isEqualTo("count=4 input=");
        for (String pid : DynamicRig.run("ip", "netns", "pids", ns).body().split("\\s+")) {
            if (!pid.isBlank()) Procs.kill9(Long.parseLong(pid));
        }
        TestAgent.awaitTrue("the instance failed with its part", () -> agent.get("/v1/dynamic/" + uuid).path("state").asText().equals("failed"),
                Duration.ofSeconds(20));
        assertThat(agent.get("/v1/dynamic/" + uuid).path("reason").asText()).startsWith("part web exited")
                .endsWith("(1 of 1 within 10m: not started again)");
        assertThat(awaitStep(uuid, "save state", before)).as("the state saved when the part failed").contains("\"ok\":true");
        assertThat(saved()).hasContent("4");
        agent.ok("POST", "/v1/dynamic/" + uuid + "/close?save=false", null);
        DynamicRig.assertGone(tmp.resolve("data"), uuid);

        String next = open();
        assertThat(page(next, "/")).as("restored at the owner's next open").isEqualTo("count=4 input=");
        agent.ok("POST", "/v1/dynamic/" + next + "/close", null);
    }

    @Test
    void anIdleInstanceIsClosedWithItsStateSavedAndABusyOneStays() throws Exception {
        String idle = open();
        String busy = open();
        assertThat(page(idle, "/bump")).isEqualTo("count=1 input=");
        Files.writeString(tmp.resolve("data/dynamic/" + idle + "/done"), "");
        TestAgent.awaitTrue("the idle instance closed", () -> events.stream()
                .anyMatch(e -> e.contains("\"type\":\"dynamic\"") && e.contains(idle) && e.contains("\"state\":\"complete\"")), Duration.ofSeconds(30));
        assertThat(events.stream().filter(e -> e.contains("\"type\":\"dynamic\"") && e.contains(idle) && e.contains("\"state\":\"complete\"")).findFirst().orElseThrow())
                .contains("closed: idle for 99s (idle.timeout 5s)");
        DynamicRig.assertGone(tmp.resolve("data"), idle);
        assertThat(saved()).as("its state saved as it closed").hasContent("1");
        TestAgent.awaitTrue("the idle instance forgotten", () -> agent.call("GET", "/v1/dynamic/" + idle, null).status() == 404, Duration.ofSeconds(10));
        assertThat(agent.get("/v1/services/keeper/opened")).extracting(n -> n.path("uuid").asText()).containsExactly(busy);
        assertThat(agent.get("/v1/dynamic/" + busy).path("state").asText()).isEqualTo("running");
        assertThat(events.stream().anyMatch(e -> e.contains("\"step\":\"probe idle\""))).as("no probe failed").isFalse();
        agent.ok("POST", "/v1/dynamic/" + busy + "/close", null);
    }

    @Test
    void aProbeThatAnswersNonsenseIsReportedOnceAndClosesNothing() {
        agent.register("""
                name: prober
                parts:
                  web: {command: [python3, %s]}
                entrypoint: web:8080
                paths: {state: [/work], state-save: 1s}
                idle: {exec: [sh, -c, "echo soon"], timeout: 1s, interval: 100ms}
                """.formatted(tmp.resolve("keeper.py")));
        TestAgent.Res r = agent.call("POST", "/v1/services/prober/open", null);
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        String uuid = r.json().path("uuid").asText();
        String failed = awaitStep(uuid, "probe idle", 0);
        assertThat(failed).contains("\"ok\":false").contains("the idle probe answered 'soon' (expected: the seconds inactive");
        // two checkpoints later (a second or more: ten probes and more at 100ms), the failure was still said once
        int after = events.indexOf(failed) + 1;
        String first = awaitStep(uuid, "checkpoint state", after);
        awaitStep(uuid, "checkpoint state", events.indexOf(first) + 1);
        assertThat(events.stream().filter(e -> e.contains("\"step\":\"probe idle\"") && e.contains(uuid))).hasSize(1);
        assertThat(agent.get("/v1/dynamic/" + uuid).path("state").asText()).as("a probe without an answer closes nothing").isEqualTo("running");
        agent.ok("POST", "/v1/dynamic/" + uuid + "/close", null);
    }

    @Test
    void inputsPushedAgainRestartThePartsThatAskAndBadPushesAreRefused() throws Exception {
        String uuid = open();
        assertThat(page(uuid, "/")).isEqualTo("count=0 input=");
        Path inputs = Files.createDirectories(tmp.resolve("inputs"));
        Files.writeString(inputs.resolve("hello.txt"), "pushed");
        byte[] archive = TestApps.tarGz(inputs);
        int before = events.size();
        TestAgent.Res r = RawHttp.send(agent, "POST", "/v1/dynamic/" + uuid + "/inputs", "Content-Length: " + archive.length).body(archive).response();
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().path("state").asText()).as(r.body()).isEqualTo("running");
        assertThat(awaitStep(uuid, "push inputs", before)).contains("\"ok\":true");
        assertThat(awaitStep(uuid, "restart part web", before)).contains("\"ok\":true");
        assertThat(page(uuid, "/")).as("the part started again reads the new inputs").isEqualTo("count=0 input=pushed");
        assertThat(tmp.resolve("data/dynamic/" + uuid + "/in/hello.txt")).hasContent("pushed");

        assertThat(agent.call("POST", "/v1/dynamic/" + uuid + "/inputs", null).status()).as("no archive").isEqualTo(400);
        assertThat(agent.call("POST", "/v1/dynamic/not-a-uuid/inputs", null).status()).isEqualTo(400);
        assertThat(agent.call("POST", "/v1/dynamic/00000000-0000-0000-0000-000000000000/inputs", null).status()).isEqualTo(404);
        String bob = agent.ok("POST", "/v1/tokens", "{\"name\": \"bob\", \"role\": \"user\"}").path("token").asText();
        assertThat(agent.call("POST", "/v1/dynamic/" + uuid + "/inputs", "x", Map.of("Authorization", "Bearer " + bob)).status()).isEqualTo(403);
        TestAgent.Res maybe = agent.call("POST", "/v1/services/keeper/open?wait=maybe", null);
        assertThat(maybe.status()).isEqualTo(400);
        assertThat(maybe.body()).contains("wait: 'maybe' (expected: true or false)");
        assertThat(agent.get("/v1/services/keeper/opened")).as("nothing opened by a refused request").hasSize(1);
        agent.ok("POST", "/v1/dynamic/" + uuid + "/close", null);
    }

    @Test
    void anOpenThatDoesNotWaitAnswersAtOnceAndItsStepsFollowAsEvents() {
        TestAgent.Res r = agent.call("POST", "/v1/services/keeper/open?wait=false", null);
        assertThat(r.status()).as(r.body()).isEqualTo(202);
        String uuid = r.json().path("uuid").asText();
        TestAgent.awaitTrue("the instance running", () -> events.stream()
                .anyMatch(e -> e.contains("\"type\":\"dynamic\"") && e.contains(uuid) && e.contains("\"state\":\"running\"")), Duration.ofSeconds(30));
        assertThat(awaitStep(uuid, "route", 0)).contains("\"ok\":true");
        agent.ok("POST", "/v1/dynamic/" + uuid + "/close", null);
    }
}
