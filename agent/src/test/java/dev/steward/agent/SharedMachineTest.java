package dev.steward.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.steward.agent.isolate.NodeScope;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two agents on one machine, each on its own data dir, each with a process, a sandbox (as root) and a
 * container (where Podman runs) service: starting and restarting either never touches the other's
 * instances, and what each makes on the machine is named after its own scope.
 */
class SharedMachineTest {
    static Podman podman;
    @TempDir Path tmp;
    final List<TestAgent> open = new ArrayList<>();

    /** One instance as the test sees it: its pid, and its container's id for a container. */
    record Seen(String id, long pid, String container) {}

    @BeforeAll
    static void startPodman() throws Exception {
        if (Podman.unavailable() == null) podman = Podman.start(Files.createTempDirectory("steward-podman"));
    }

    @AfterAll
    static void stopPodman() {
        if (podman != null) podman.close();
    }

    @AfterEach
    void closeAgents() {
        open.forEach(TestAgent::close);
    }

    TestAgent start(String name) throws Exception {
        TestAgent a = TestAgent.start(tmp.resolve(name), podman == null ? null : podman.host);
        open.add(a);
        return a;
    }

    /** Closes {@code a} (a test agent stops its instances with it). */
    void stop(TestAgent a) {
        a.close();
        open.remove(a);
    }

    /** The services each agent runs: the isolates this machine offers. */
    static List<String> services(TestAgent a) {
        JsonNode available = a.get("/v1/agent").path("isolates").path("available");
        List<String> out = new ArrayList<>();
        for (JsonNode i : available) out.add(i.asText());
        return out;
    }

    static void register(TestAgent a, String isolate) {
        String command = isolate.equals("container") ? "[sleep, \"600\"]\nimage: " + Podman.IMAGE : "[sleep, \"600\"]";
        a.register("name: " + isolate + "-svc\nisolate: " + isolate + "\ncommand: " + command + "\nping: none\n");
    }

    /** Waits until every service of {@code a} is available, and says what runs. */
    Map<String, Seen> running(TestAgent a, List<String> isolates) throws Exception {
        Map<String, Seen> out = new LinkedHashMap<>();
        for (String isolate : isolates) {
            String service = isolate + "-svc";
            JsonNode i = a.await(service, v -> v.path("state").asText().equals("available"), Duration.ofSeconds(60)).path("instances").get(0);
            String container = isolate.equals("container") ? containerId(a, service, i.path("id").asText()) : "";
            out.put(service, new Seen(i.path("id").asText(), i.path("pid").asLong(), container));
        }
        return out;
    }

    String containerId(TestAgent a, String service, String instance) throws Exception {
        String name = ContainerTest.prefix(a.dataDir, service) + instance;
        String scope = podman.inspect(name, "{{index .Config.Labels \"dev.steward.scope\"}}");
        assertThat(scope).as("the scope label of " + name).isEqualTo(NodeScope.of(a.dataDir).id());
        return podman.inspect(name, "{{.Id}}");
    }

    /** Each of {@code a}'s instances is still the very one seen before: same pid, alive, same container, no restart. */
    void untouched(TestAgent a, Map<String, Seen> before) throws Exception {
        for (var e : before.entrySet()) {
            JsonNode i = a.service(e.getKey()).path("instances").get(0);
            Seen was = e.getValue();
            assertThat(i.path("state").asText()).as(e.getKey() + ": " + i).isEqualTo("running");
            assertThat(i.path("id").asText()).as(e.getKey()).isEqualTo(was.id());
            assertThat(i.path("pid").asLong()).as(e.getKey()).isEqualTo(was.pid());
            assertThat(Procs.alive(was.pid())).as(e.getKey() + " pid " + was.pid()).isTrue();
            if (!was.container().isEmpty()) {
                assertThat(containerId(a, e.getKey(), was.id())).as(e.getKey() + "'s container").isEqualTo(was.container());
            }
        }
    }

    /** Where the cgroup of a process or sandbox instance is, it is under the agent's scope. */
    static void scoped(TestAgent a, Map<String, Seen> seen) throws Exception {
        if (!"root".equals(System.getProperty("user.name"))) return;
        String scope = NodeScope.of(a.dataDir).id();
        for (var e : seen.entrySet()) {
            if (e.getKey().startsWith("container")) continue;
            String groups = Files.readString(Path.of("/proc", Long.toString(e.getValue().pid()), "cgroup"));
            assertThat(groups).as(e.getKey()).contains("/steward/" + scope + "/" + e.getKey() + "/" + e.getValue().id());
        }
    }

    @Test
    void startingAndRestartingOneAgentNeverTouchesTheOthersInstances() throws Exception {
        TestAgent a = start("a");
        List<String> isolates = services(a);
        if ("root".equals(System.getProperty("user.name"))) assertThat(isolates).contains("sandbox");
        if (podman != null) assertThat(isolates).contains("container");
        isolates.forEach(i -> register(a, i));
        Map<String, Seen> seenA = running(a, isolates);
        scoped(a, seenA);

        TestAgent b = start("b");
        assertThat(NodeScope.of(b.dataDir)).isNotEqualTo(NodeScope.of(a.dataDir));
        untouched(a, seenA);
        isolates.forEach(i -> register(b, i));
        Map<String, Seen> seenB = running(b, isolates);
        scoped(b, seenB);
        untouched(a, seenA);

        NodeScope scopeA = NodeScope.of(a.dataDir);
        stop(a);
        untouched(b, seenB);
        TestAgent a2 = start("a");
        assertThat(NodeScope.of(a2.dataDir)).isEqualTo(scopeA);
        untouched(b, seenB);
        seenA = running(a2, isolates);

        stop(b);
        untouched(a2, seenA);
        TestAgent b2 = start("b");
        untouched(a2, seenA);
        running(b2, isolates);
        untouched(a2, seenA);
    }
}
