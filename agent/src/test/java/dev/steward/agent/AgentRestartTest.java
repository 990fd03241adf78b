package dev.steward.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent is killed with SIGKILL while services run, and comes back without harm. */
class AgentRestartTest {
    @TempDir Path tmp;
    final List<Process> agents = new ArrayList<>();
    final List<Long> strays = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        agents.forEach(Process::destroyForcibly);
        Procs.killLeftovers(tmp.resolve("data"), strays);
    }

    static boolean available(JsonNode v) {
        return v.path("state").asText().equals("available");
    }

    static int get(int port) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/adopted-check")).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    void specsComeBackRunningInstancesAreAdoptedAndDeadOnesRestarted() throws Exception {
        Path data = tmp.resolve("data");
        RemoteAgent a = RemoteAgent.start(data, tmp, null, agents);
        a.call("POST", "/v1/services", "name: web\ncommand: " + Procs.httpServer() + "\nping: {http: /}\n");
        a.call("POST", "/v1/services", "name: victim\ncommand: [sleep, \"600\"]\nping: {exec: [\"true\"]}\n");
        a.call("POST", "/v1/services", "name: idle\ncommand: [sleep, \"600\"]\npolicy: on-demand\n");
        JsonNode web = a.await("web", AgentRestartTest::available).path("instances").get(0);
        JsonNode victim = a.await("victim", AgentRestartTest::available).path("instances").get(0);
        strays.add(web.path("pid").asLong());
        strays.add(victim.path("pid").asLong());

        a.kill9();
        assertThat(Procs.alive(web.path("pid").asLong())).isTrue();
        Procs.kill9(victim.path("pid").asLong());

        RemoteAgent b = RemoteAgent.start(data, tmp, null, agents);
        JsonNode list = b.call("GET", "/v1/services", null);
        assertThat(list).hasSize(3);
        JsonNode webAgain = b.await("web", v -> available(v) && v.path("instances").get(0).path("reason").asText().startsWith("adopted"))
                .path("instances").get(0);
        assertThat(webAgain.path("pid").asLong()).isEqualTo(web.path("pid").asLong());
        assertThat(webAgain.path("id").asText()).isEqualTo(web.path("id").asText());
        assertThat(webAgain.path("reason").asText()).contains("adopted");
        JsonNode victimAgain = b.await("victim", v -> available(v) && v.path("instances").get(0).path("restarts").asInt() == 1).path("instances").get(0);
        assertThat(victimAgain.path("pid").asLong()).isNotEqualTo(victim.path("pid").asLong());
        assertThat(b.call("GET", "/v1/services/idle", null).path("state").asText()).isEqualTo("stopped");

        // Logs go on in the same file.
        assertThat(get(web.path("port").asInt())).isEqualTo(404);
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!b.text("/v1/services/web/logs").contains("/adopted-check")) {
            assertThat(System.nanoTime()).isLessThan(deadline);
            Thread.sleep(20);
        }

        // The adopted instance is watched: its death is seen and it is restarted.
        Procs.kill9(web.path("pid").asLong());
        JsonNode restarted = b.await("web", v -> available(v) && v.path("instances").get(0).path("restarts").asInt() == 1);
        strays.add(restarted.path("instances").get(0).path("pid").asLong());
        strays.add(victimAgain.path("pid").asLong());
        assertThat(restarted.path("statistics").path("last-exit-reason").asText()).contains("status unknown");
    }

    @Test
    void aProcessWithTheSamePidButAnotherStartTimeIsNeverAdopted() throws Exception {
        Path data = tmp.resolve("data");
        RemoteAgent a = RemoteAgent.start(data, tmp, null, agents);
        a.call("POST", "/v1/services", "name: s\ncommand: [sleep, \"600\"]\nping: {exec: [\"true\"]}\n");
        JsonNode inst = a.await("s", AgentRestartTest::available).path("instances").get(0);
        long pid = inst.path("pid").asLong();
        strays.add(pid);
        a.kill9();
        // Make the stored record claim the same pid started at another time, and take the process out of
        // the instance's cgroup: as if the pid had been reused by another process.
        Procs.leaveStewardCgroups(pid);
        try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + data.resolve("steward.db"))) {
            String key = "instances/s/" + inst.path("id").asText();
            String value;
            try (PreparedStatement ps = db.prepareStatement("SELECT value FROM kv WHERE key = ?")) {
                ps.setString(1, key);
                try (ResultSet rs = ps.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                    value = rs.getString(1);
                }
            }
            ObjectNode rec = (ObjectNode) Json.tree(value);
            rec.put("startTicks", rec.path("startTicks").asLong() + 1);
            try (PreparedStatement ps = db.prepareStatement("UPDATE kv SET value = ? WHERE key = ?")) {
                ps.setString(1, Json.write(rec));
                ps.setString(2, key);
                assertThat(ps.executeUpdate()).isEqualTo(1);
            }
        }
        RemoteAgent b = RemoteAgent.start(data, tmp, null, agents);
        JsonNode v = b.await("s", x -> available(x) && x.path("instances").get(0).path("restarts").asInt() == 1);
        long newPid = v.path("instances").get(0).path("pid").asLong();
        strays.add(newPid);
        assertThat(newPid).isNotEqualTo(pid);
        assertThat(v.path("instances").get(0).path("restarts").asInt()).isEqualTo(1);
        // The process that was not adopted is left alone: it is not the agent's to signal.
        assertThat(Procs.alive(pid)).isTrue();
    }

    @Test
    void jobHistoryOutlivesTheAgentAndAJobRunningAtItsDeathIsShownEnded() throws Exception {
        Path data = tmp.resolve("data");
        RemoteAgent a = RemoteAgent.start(data, tmp, null, agents);
        String quick = a.call("POST", "/v1/jobs", "kind: job\nname: quick\ncommand: [/bin/sh, -c, 'exit 4']\n").path("id").asText();
        String slow = a.call("POST", "/v1/jobs", "kind: job\nname: slow\ncommand: [sleep, \"20\"]\n").path("id").asText();
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!(a.call("GET", "/v1/jobs/" + quick, null).path("state").asText().equals("failed")
                && a.call("GET", "/v1/jobs/" + slow, null).path("state").asText().equals("running"))) {
            assertThat(System.nanoTime()).as("quick ended and slow running within 30 s").isLessThan(deadline);
            Thread.sleep(20);
        }
        a.kill9();
        RemoteAgent b = RemoteAgent.start(data, tmp, null, agents);
        JsonNode q = b.call("GET", "/v1/jobs/" + quick, null);
        assertThat(q.path("state").asText()).isEqualTo("failed");
        assertThat(q.path("exit-code").asInt()).isEqualTo(4);
        JsonNode s = b.call("GET", "/v1/jobs/" + slow, null);
        assertThat(s.path("state").asText()).isEqualTo("failed");
        assertThat(s.path("reason").asText()).contains("the agent stopped while it ran");
        assertThat(s.path("ended").asText()).isNotEmpty();
        assertThat(b.call("GET", "/v1/jobs", null).findValuesAsText("id")).contains(quick, slow);
    }

    @Test
    void aPausedCustomServiceIsKnownAgainAfterAnAgentSigkillAndStaysPaused() throws Exception {
        Path data = tmp.resolve("data");
        RemoteAgent a = RemoteAgent.start(data, tmp, null, agents);
        a.call("POST", "/v1/services?run=true", "name: adhoc\ncommand: [sleep, \"600\"]\nping: none\n");
        long pid = a.await("adhoc", AgentRestartTest::available).path("instances").get(0).path("pid").asLong();
        strays.add(pid);
        a.call("POST", "/v1/services/adhoc/pause", null);
        a.await("adhoc", v -> v.path("state").asText().equals("paused"));
        a.kill9();

        RemoteAgent b = RemoteAgent.start(data, tmp, null, agents);
        JsonNode v = b.await("adhoc", x -> x.path("state").asText().equals("paused"));
        assertThat(v.path("custom").asBoolean()).isTrue();
        assertThat(v.path("instances").get(0).path("pid").asLong()).as("the same process, adopted").isEqualTo(pid);
        assertThat(v.path("instances").get(0).path("state").asText()).isEqualTo("paused");
        b.call("POST", "/v1/services/adhoc/resume", null);
        b.await("adhoc", AgentRestartTest::available);
        b.call("POST", "/v1/services/adhoc/stop", null);
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (Procs.alive(pid)) {
            assertThat(System.nanoTime()).as("the custom service's instance ends with its stop").isLessThan(deadline);
            Thread.sleep(20);
        }
        long gone = System.nanoTime() + 10_000_000_000L;
        while (b.text("/v1/services").contains("adhoc")) {
            assertThat(System.nanoTime()).as("a stopped custom service is forgotten").isLessThan(gone);
            Thread.sleep(20);
        }
    }
}
