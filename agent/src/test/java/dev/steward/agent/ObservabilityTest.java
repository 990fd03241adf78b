package dev.steward.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The event stream, following logs, and Prometheus metrics. */
class ObservabilityTest extends AgentTestBase {
    @Test
    void theEventStreamCarriesEveryStateChange() throws Exception {
        List<String> lines = new CopyOnWriteArrayList<>();
        try (InputStream in = agent.follow("/v1/events", lines)) {
            TestAgent.awaitLine(lines, "steward events");
            agent.register("name: ev\ncommand: " + Procs.httpServer() + "\n");
            agent.awaitState("ev", "available");
            agent.ok("POST", "/v1/services/ev/stop", null);
            agent.awaitState("ev", "stopped");
            TestAgent.awaitLine(lines, "\"state\":\"stopped\"");
            List<String> data = lines.stream().filter(l -> l.startsWith("data: ")).toList();
            List<String> states = new ArrayList<>();
            for (String d : data) {
                var n = Json.tree(d.substring(6));
                states.add(n.path("type").asText() + ":" + n.path("state").asText(n.path("action").asText()));
            }
            assertThat(states).containsSubsequence("spec:registered", "instance:starting", "instance:running",
                    "service:available", "instance:stopping", "instance:exited", "service:stopped");
        }
    }

    @Test
    void eventsCarryIdsAndAReconnectingClientResumesAfterTheLastOneItSaw() throws Exception {
        agent.register("name: ids\ncommand: " + Procs.httpServer() + "\n");
        agent.awaitState("ids", "available");
        // follow=false: the kept events, then the end
        List<Long> ids = idsOf(agent.call("GET", "/v1/events?follow=false&service=ids", null));
        assertThat(ids).isNotEmpty().isSorted().doesNotHaveDuplicates();
        long seen = ids.get(0);
        agent.ok("POST", "/v1/services/ids/stop", null);
        agent.awaitState("ids", "stopped");
        var resumed = agent.call("GET", "/v1/events?follow=false&service=ids", null, java.util.Map.of("Last-Event-ID", Long.toString(seen)));
        List<Long> after = idsOf(resumed);
        assertThat(after).first().isEqualTo(ids.get(1)); // nothing lost, nothing repeated
        assertThat(after).containsAll(ids.subList(1, ids.size()));
        assertThat(resumed.body()).contains("\"state\":\"stopped\"");
        assertThat(agent.call("GET", "/v1/events?follow=false", null, java.util.Map.of("Last-Event-ID", "yesterday")).status()).isEqualTo(400);
    }

    private static List<Long> idsOf(TestAgent.Res res) {
        assertThat(res.status()).isEqualTo(200);
        List<Long> ids = new ArrayList<>();
        for (String line : res.body().split("\n")) {
            if (line.startsWith("id: ")) ids.add(Long.parseLong(line.substring(4)));
            if (line.startsWith("data: {\"")) assertThat(Json.tree(line.substring(6)).path("id").asLong()).isEqualTo(ids.get(ids.size() - 1));
        }
        return ids;
    }

    @Test
    void logsFollowShowsNewLinesAsTheyAreWritten() throws Exception {
        agent.register("name: ticker\ncommand: [/bin/sh, -c, 'i=0; while true; do i=$((i+1)); echo tick $i; sleep 0.1; done']\nping: {exec: [\"true\"]}\n");
        agent.awaitState("ticker", "available");
        List<String> lines = new CopyOnWriteArrayList<>();
        try (InputStream in = agent.follow("/v1/services/ticker/logs?follow=true&tail=1", lines)) {
            TestAgent.awaitLine(lines, "tick ");
            int first = Integer.parseInt(lines.get(0).replace("tick ", "").trim());
            TestAgent.awaitLine(lines, "tick " + (first + 5));
        }
    }

    @Test
    void metricsCountInstancesStartsFailuresAndPings() {
        agent.register("name: met\ncommand: " + Procs.httpServer() + "\nping: {http: /, interval: 100ms}\n");
        long pid = agent.awaitState("met", "available").path("instances").get(0).path("pid").asLong();
        Procs.kill9(pid);
        agent.await("met", v -> v.path("instances").get(0).path("restarts").asInt() == 1 && v.path("state").asText().equals("available"),
                java.time.Duration.ofSeconds(10));
        String m = agent.call("GET", "/metrics", null).body();
        assertThat(m).contains("steward_instances{service=\"met\",state=\"running\"} 1.0");
        assertThat(m).contains("steward_instance_failures_total{service=\"met\"} 1.0");
        assertThat(m).contains("steward_instance_restarts_total{service=\"met\"} 1.0");
        assertThat(m).containsPattern("steward_ping_latency_seconds_count\\{result=\"pass\",service=\"met\"} [1-9]");
    }

    @Test
    void metricsPassPrometheusLintHaveADozenBucketsAndAServicesSeriesGoWithIt() throws Exception {
        agent.register("name: lint\ncommand: " + Procs.httpServer() + "\nping: {http: /, interval: 100ms}\n");
        agent.awaitState("lint", "available");
        TestAgent.awaitTrue("a passed ping is counted", () -> agent.call("GET", "/metrics", null).body()
                .contains("steward_ping_latency_seconds_count{result=\"pass\",service=\"lint\"}"), java.time.Duration.ofSeconds(10));
        // the JVM's own meters are bound once the agent serves, in the background
        TestAgent.awaitTrue("the JVM's meters are bound", () -> agent.call("GET", "/metrics", null).body().contains("jvm_memory_used_bytes"),
                java.time.Duration.ofSeconds(10));
        String m = agent.call("GET", "/metrics", null).body();
        assertThat(m).containsPattern("steward_build_info\\{version=\"[^\"]+\",built=\"[^\"]*\"} 1")
                .contains("jvm_memory_used_bytes", "jvm_gc_max_data_size_bytes", "process_cpu_seconds_total", "process_files_open_files", "jvm_threads_live_threads");
        long buckets = m.lines().filter(l -> l.startsWith("steward_ping_latency_seconds_bucket{result=\"pass\",service=\"lint\"")).count();
        assertThat(buckets).as("ping latency buckets").isBetween(8L, 16L);
        Promtool.check(m);
        agent.call("DELETE", "/v1/services/lint?force=true", null);
        TestAgent.awaitTrue("the service's series are gone", () -> !agent.call("GET", "/metrics", null).body().contains("service=\"lint\""),
                java.time.Duration.ofSeconds(10));
    }

    @Test
    void theAgentDescribesItself() {
        var info = agent.get("/v1/agent");
        assertThat(info.path("listeners").path("api").asText()).isEqualTo(agent.base);
        assertThat(info.path("node").asText()).isEqualTo("test-node");
        // the web UI's page and its script (what it shows: UiTest)
        assertThat(agent.call("GET", "/ui/", null).body()).contains("<title>Steward</title>", "/ui/assets/index-");
    }
}
