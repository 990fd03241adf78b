package dev.steward.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Container parts (issue 14): a part run from an image by a real Podman, in the instance's network namespace beside a process part. */
class DynamicContainerPartTest {
    static Podman podman;
    @TempDir Path tmp;
    TestAgent agent;
    final List<String> events = new java.util.concurrent.CopyOnWriteArrayList<>();

    @BeforeAll
    static void startPodman() throws Exception {
        String why = Podman.unavailable();
        assumeTrue(why == null, "container parts skipped: " + why);
        why = dev.steward.agent.dynamic.Dynamics.unavailable();
        assumeTrue(why == null, "this machine cannot run dynamic services: " + why);
        podman = Podman.start(Files.createTempDirectory("steward-podman"));
    }

    @AfterAll
    static void stopPodman() {
        if (podman != null) podman.close();
    }

    @BeforeEach
    void startAgent() throws Exception {
        agent = TestAgent.start(tmp.resolve("data"), podman.host);
        agent.follow("/v1/events", events);
    }

    @AfterEach
    void stopAgent() throws Exception {
        DynamicRig.stop(agent, tmp.resolve("data"));
    }

    /** The two-part service: the web part a process, its helper busybox's httpd in a container, on the instance's localhost. */
    private void register(String name, String image) throws Exception {
        DynamicRig.spec(tmp, "unused", null); // writes the programs
        agent.register("""
                name: %s
                parts:
                  web: {command: [python3, %s], needs: [helper]}
                  helper:
                    image: %s
                    command: [sh, -c, "trap 'exit 0' TERM; mkdir -p /tmp/www && echo -n from a container > /tmp/www/index.html && httpd -f -p 127.0.0.1:9000 -h /tmp/www & wait"]
                    port: 9000
                    ping: {tcp: true, interval: 50ms}
                entrypoint: web:8080
                """.formatted(name, tmp.resolve("web.py"), image));
    }

    private String scope() throws java.io.IOException {
        return dev.steward.agent.isolate.NodeScope.of(tmp.resolve("data")).id();
    }

    @Test
    void aProcessPartReachesAContainerPartOnTheInstancesLocalhost() throws Exception {
        register("mixed", Podman.IMAGE);
        TestAgent.Res r = agent.call("POST", "/v1/services/mixed/open", null);
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        assertThat(r.json().path("state").asText()).as(r.body()).isEqualTo("running");
        String uuid = r.json().path("uuid").asText();
        TestAgent.Res page = DynamicRig.get(agent.agent().gatewayPort(), "127.0.0.1", "/x/" + uuid + "/", agent.token);
        assertThat(page.status()).as(page.body()).isEqualTo(200);
        assertThat(page.body()).startsWith("web sees: from a container");

        String container = "steward-" + scope() + "-mixed-" + uuid + "-helper";
        assertThat(podman.containers()).contains(container);
        assertThat(podman.inspect(container, "{{.HostConfig.NetworkMode}}")).isEqualTo("ns:/run/netns/steward-" + scope() + "-" + uuid);
        // the image is made sure of first, as a step, the part pulling meanwhile
        int pull = indexOf(uuid, "\"step\":\"pull image " + Podman.IMAGE + " for part helper\"");
        assertThat(pull).isNotNegative();
        assertThat(events.get(pull)).contains("\"ok\":true");
        assertThat(pull).isLessThan(indexOf(uuid, "\"step\":\"create namespace\""));
        assertThat(indexOf(uuid, "\"state\":\"pulling\"")).as("the instance pulling").isNotNegative().isLessThan(pull);
        assertThat(indexOf(uuid, "\"step\":\"start part helper\"")).isLessThan(indexOf(uuid, "\"step\":\"start part web\""));

        JsonNode closed = agent.ok("POST", "/v1/dynamic/" + uuid + "/close", null).path("closed");
        assertThat(closed.path("state").asText()).as(closed.toString()).isEqualTo("complete");
        DynamicRig.assertGone(tmp.resolve("data"), uuid);
        TestAgent.awaitTrue("the container removed", () -> {
            try {
                return !podman.containers().contains(container);
            } catch (Exception e) {
                return false;
            }
        }, Duration.ofSeconds(30));
    }

    @Test
    void aContainerPartSeesItsDataAtInOutAndItsStateFolderAndIsPingedInsideItsContainer() throws Exception {
        DynamicRig.spec(tmp, "unused", null); // writes the programs
        // the ping reads a file that only the container's own /tmp has: it passes only when run inside the container
        agent.register("""
                name: boxed
                parts:
                  web: {command: [python3, %s], needs: [helper]}
                  helper:
                    image: %s
                    command: [sh, -c, "trap 'exit 0' TERM; mkdir -p /tmp/www && n=$(cat /work/opens 2>/dev/null || echo 0) && n=$((n+1)) && echo -n $n > /work/opens && echo -n \\"read $(cat $STEWARD_INPUTS/hello.txt) at $STEWARD_INPUTS, open $n\\" > /tmp/www/index.html && echo -n written > /out/box.txt && sleep 1 && echo -n up > /tmp/ready && httpd -f -p 127.0.0.1:9000 -h /tmp/www & wait"]
                    port: 9000
                    ping: {exec: [cat, /tmp/ready], interval: 100ms}
                entrypoint: web:8080
                paths: {inputs: /in, outputs: /out, state: [/work]}
                """.formatted(tmp.resolve("web.py"), Podman.IMAGE));
        assertThat(Path.of("/tmp/ready")).as("the file the ping reads is not on the machine").doesNotExist();
        Path inputs = Files.createDirectories(tmp.resolve("inputs"));
        Files.writeString(inputs.resolve("hello.txt"), "from the user");
        byte[] archive = TestApps.tarGz(inputs);
        TestAgent.Res r = RawHttp.send(agent, "POST", "/v1/services/boxed/open", "Content-Length: " + archive.length).body(archive).response();
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        assertThat(r.json().path("state").asText()).as(r.body()).isEqualTo("running");
        String uuid = r.json().path("uuid").asText();
        assertThat(events.stream().filter(e -> e.contains(uuid) && e.contains("\"step\":\"ping part helper\"")).findFirst().orElseThrow())
                .contains("\"ok\":true");
        TestAgent.Res page = DynamicRig.get(agent.agent().gatewayPort(), "127.0.0.1", "/x/" + uuid + "/", agent.token);
        assertThat(page.body()).as("the container read its input at /in").startsWith("web sees: read from the user at /in, open 1");
        assertThat(tmp.resolve("data/dynamic/" + uuid + "/out/box.txt")).as("written at /out, found in the instance's outputs").hasContent("written");
        agent.ok("POST", "/v1/dynamic/" + uuid + "/close", null);
        assertThat(tmp.resolve("data/outputs/boxed/" + uuid + "/box.txt")).as("pushed at close").hasContent("written");
        assertThat(tmp.resolve("data/dynamic-state/boxed/admin/work/opens")).as("its state folder /work saved").hasContent("1");

        String second = agent.ok("POST", "/v1/services/boxed/open", null).path("uuid").asText();
        assertThat(DynamicRig.get(agent.agent().gatewayPort(), "127.0.0.1", "/x/" + second + "/", agent.token).body())
                .as("its state restored at /work").startsWith("web sees: read  at /in, open 2;");
        agent.ok("POST", "/v1/dynamic/" + second + "/close?save=false", null);
    }

    @Test
    void aContainerPartsExecPingThatFailsNamesItsContainerAndStatus() throws Exception {
        DynamicRig.spec(tmp, "unused", null);
        agent.register("""
                name: unready
                parts:
                  web: {command: [python3, %s], needs: [helper]}
                  helper:
                    image: %s
                    command: [sh, -c, "trap 'exit 0' TERM; sleep 600 & wait"]
                    ping: {exec: [cat, /tmp/never], interval: 100ms}
                entrypoint: web:8080
                """.formatted(tmp.resolve("web.py"), Podman.IMAGE));
        String before = System.getProperty("steward.dynamic.ready-within");
        TestAgent.Res r;
        System.setProperty("steward.dynamic.ready-within", "3s");
        try {
            agent.close();
            agent = TestAgent.start(tmp.resolve("data"), podman.host);
            agent.follow("/v1/events", events);
            r = agent.call("POST", "/v1/services/unready/open", null);
        } finally {
            if (before == null) System.clearProperty("steward.dynamic.ready-within");
            else System.setProperty("steward.dynamic.ready-within", before);
        }
        assertThat(r.json().path("state").asText()).as(r.body()).isEqualTo("failed");
        String uuid = r.json().path("uuid").asText();
        assertThat(r.json().path("reason").asText()).startsWith("ping part helper: not ready within 3s: exec cat /tmp/never in container steward-")
                .contains("-unready-" + uuid + "-helper: exit status 1");
        DynamicRig.assertGone(tmp.resolve("data"), uuid);
        agent.ok("POST", "/v1/dynamic/" + uuid + "/close", null);
    }

    @Test
    void aComposeFileWithAnImageServiceAndACommandServiceIsImportedAndRuns() throws Exception {
        DynamicRig.spec(tmp, "unused", null); // writes web.py
        // the image service's entrypoint is Compose's (busybox has none: without it the command would not run), its
        // healthcheck reads a file only its container has, its named volume keeps a count across opens
        String compose = """
                name: composed
                services:
                  web:
                    command: [python3, %s]
                    depends_on: [helper]
                    environment: {PYTHONUNBUFFERED: "1"}
                    ports: ["8080:8080"]
                  helper:
                    image: %s
                    entrypoint: [sh, -c]
                    command: ["trap 'exit 0' TERM; mkdir -p /tmp/www && n=$(cat /data/opens 2>/dev/null || echo 0) && n=$((n+1)) && echo -n $n > /data/opens && echo -n \\"$GREETING, open $n\\" > /tmp/www/index.html && echo up > /tmp/ready && httpd -f -p 127.0.0.1:9000 -h /tmp/www & wait"]
                    environment: [GREETING=from compose]
                    volumes: ["data:/data", "./conf:/etc/conf:ro"]
                    healthcheck: {test: [CMD, cat, /tmp/ready], interval: 100ms}
                    deploy: {resources: {limits: {memory: 64m}}}
                    restart: always
                volumes: {data: {}}
                """.formatted(tmp.resolve("web.py"), Podman.IMAGE);
        dev.steward.model.ComposeImport.Result imported = dev.steward.model.ComposeImport.translate(compose, "composed");
        assertThat(imported.untranslated()).containsExactlyInAnyOrder(
                "services.web.ports[0]: the host's side is not published: an instance is reached through the gateway at its own URL",
                "services.helper.volumes[1]: './conf:/etc/conf:ro': the host's folder is not mounted (an instance's data comes in as paths.inputs, given at open with --inputs DIR)",
                "services.helper.restart: a part that ends is restarted with back-off by its own restart: settings; Compose's policies are not translated");
        assertThat(Path.of("/tmp/ready")).as("the file the healthcheck reads is not on the machine").doesNotExist();
        agent.register(dev.steward.model.ComposeImport.yaml(imported.spec()));

        TestAgent.Res r = agent.call("POST", "/v1/services/composed/open", null);
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        assertThat(r.json().path("state").asText()).as(r.body()).isEqualTo("running");
        String uuid = r.json().path("uuid").asText();
        int port = agent.agent().gatewayPort();
        TestAgent.Res byHost = DynamicRig.get(port, uuid + ".services.localhost:" + port, "/", agent.token);
        assertThat(byHost.status()).as(byHost.body()).isEqualTo(200);
        assertThat(byHost.body()).startsWith("web sees: from compose, open 1;");
        assertThat(DynamicRig.get(port, "127.0.0.1", "/x/" + uuid + "/", agent.token).body()).startsWith("web sees: from compose, open 1;");
        String container = "steward-" + scope() + "-composed-" + uuid + "-helper";
        assertThat(podman.inspect(container, "{{.HostConfig.Memory}}")).as("deploy.resources.limits.memory").isEqualTo(Long.toString(64L << 20));
        assertThat(events.stream().filter(e -> e.contains(uuid) && e.contains("\"step\":\"ping part helper\"")).findFirst().orElseThrow())
                .as("the healthcheck passed inside the container").contains("\"ok\":true");
        agent.ok("POST", "/v1/dynamic/" + uuid + "/close", null);
        assertThat(tmp.resolve("data/dynamic-state/composed/admin/data/opens")).as("the named volume saved as a state folder").hasContent("1");

        String second = agent.ok("POST", "/v1/services/composed/open", null).path("uuid").asText();
        assertThat(DynamicRig.get(port, "127.0.0.1", "/x/" + second + "/", agent.token).body())
                .as("the volume's folder restored at the next open").startsWith("web sees: from compose, open 2;");
        agent.ok("POST", "/v1/dynamic/" + second + "/close?save=false", null);
    }

    @Test
    void anExecIdleProbeRunsInsideTheEntrypointsContainer() throws Exception {
        // the probe reads a file only the container's own /tmp has: it answers only when run inside the container
        agent.register("""
                name: idlebox
                parts:
                  web:
                    image: %s
                    command: [sh, -c, "trap 'exit 0' TERM; mkdir -p /tmp/www && echo -n box > /tmp/www/index.html && echo -n 99 > /tmp/idle-seconds && echo -n kept > /work/mark && httpd -f -p 0.0.0.0:8080 -h /tmp/www & wait"]
                entrypoint: web:8080
                paths: {state: [/work]}
                idle: {exec: [cat, /tmp/idle-seconds], timeout: 5s, interval: 200ms}
                """.formatted(Podman.IMAGE));
        assertThat(Path.of("/tmp/idle-seconds")).as("the file the probe reads is not on the machine").doesNotExist();
        TestAgent.Res r = agent.call("POST", "/v1/services/idlebox/open", null);
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        assertThat(r.json().path("state").asText()).as(r.body()).isEqualTo("running");
        String uuid = r.json().path("uuid").asText();
        TestAgent.awaitTrue("the idle instance closed", () -> events.stream()
                .anyMatch(e -> e.contains("\"type\":\"dynamic\"") && e.contains(uuid) && e.contains("\"state\":\"complete\"")), Duration.ofSeconds(60));
        assertThat(events.stream().filter(e -> e.contains("\"type\":\"dynamic\"") && e.contains(uuid) && e.contains("\"state\":\"complete\""))
                .findFirst().orElseThrow()).contains("closed: idle for 99s (idle.timeout 5s)");
        assertThat(events.stream().filter(e -> e.contains(uuid) && e.contains("\"step\":\"probe idle\"")).toList())
                .as("the probe never failed").isEmpty();
        assertThat(tmp.resolve("data/dynamic-state/idlebox/admin/work/mark")).as("its state saved at the close").hasContent("kept");
        DynamicRig.assertGone(tmp.resolve("data"), uuid);
    }

    @Test
    void anEmptyContainerEntrypointRunsTheCommandAsGivenInPlaceOfTheImagesEntrypoint() throws Exception {
        String image = podman.imageWithEntrypoint();
        DynamicRig.spec(tmp, "unused", null); // writes the programs
        String spec = """
                name: %s
                parts:
                  web: {command: [python3, %s], needs: [helper]}
                  helper:
                    image: %s%s
                    command: [sh, -c, "trap 'exit 0' TERM; mkdir -p /tmp/www && echo -n no entrypoint > /tmp/www/index.html && httpd -f -p 127.0.0.1:9000 -h /tmp/www & wait"]
                    port: 9000
                    ping: {tcp: true, interval: 50ms}
                entrypoint: web:8080
                """;
        // the image's own entrypoint only echoes the command and ends: the part never listens
        agent.register(spec.formatted("entrypointed", tmp.resolve("web.py"), image, ""));
        TestAgent.Res own = agent.call("POST", "/v1/services/entrypointed/open", null);
        assertThat(own.json().path("state").asText()).as(own.body()).isEqualTo("failed");
        assertThat(own.json().path("reason").asText()).startsWith("ping part helper: part helper exited: exit status 0");
        agent.ok("POST", "/v1/dynamic/" + own.json().path("uuid").asText() + "/close", null);

        agent.register(spec.formatted("bare", tmp.resolve("web.py"), image, "\n    container-entrypoint: []"));
        TestAgent.Res r = agent.call("POST", "/v1/services/bare/open", null);
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        assertThat(r.json().path("state").asText()).as(r.body()).isEqualTo("running");
        String uuid = r.json().path("uuid").asText();
        String container = "steward-" + scope() + "-bare-" + uuid + "-helper";
        assertThat(podman.inspect(container, "{{json .Config.Entrypoint}}")).as("no entrypoint (Podman shows it as a string)").isIn("[]", "null", "[\"\"]", "\"\"");
        assertThat(podman.inspect(container, "{{json .Config.Cmd}}")).startsWith("[\"sh\",\"-c\",");
        TestAgent.Res page = DynamicRig.get(agent.agent().gatewayPort(), "127.0.0.1", "/x/" + uuid + "/", agent.token);
        assertThat(page.body()).as(page.body()).startsWith("web sees: no entrypoint");
        agent.ok("POST", "/v1/dynamic/" + uuid + "/close", null);
        DynamicRig.assertGone(tmp.resolve("data"), uuid);
    }

    @Test
    void aContainerPartsResourcesAreItsContainersLimitsAndOverItsMemoryItIsKilledAndReportedOutOfMemory() throws Exception {
        DynamicRig.spec(tmp, "unused", null); // writes the programs
        // the helper serves, and once /work/go exists its shell doubles a string until it is over 16 MiB
        agent.register("""
                name: hog
                parts:
                  web: {command: [python3, %s], needs: [helper]}
                  helper:
                    image: %s
                    command: [sh, -c, "mkdir -p /tmp/www && echo -n lean > /tmp/www/index.html && httpd -p 127.0.0.1:9000 -h /tmp/www; while [ ! -e /work/go ]; do sleep 0.05; done; x=aaaaaaaa; while :; do x=$x$x; done"]
                    port: 9000
                    ping: {tcp: true, interval: 50ms}
                    resources: {memory: 16Mi, cpu: 0.5}
                    restart: {failures-limit: 1}
                entrypoint: web:8080
                paths: {state: [/work]}
                """.formatted(tmp.resolve("web.py"), Podman.IMAGE));
        TestAgent.Res r = agent.call("POST", "/v1/services/hog/open", null);
        assertThat(r.json().path("state").asText()).as(r.body()).isEqualTo("running");
        String uuid = r.json().path("uuid").asText();
        String container = "steward-" + scope() + "-hog-" + uuid + "-helper";
        // the engine's create body had them
        assertThat(podman.inspect(container, "{{.HostConfig.Memory}}")).isEqualTo(Long.toString(16L << 20));
        assertThat(podman.inspect(container, "{{.HostConfig.NanoCpus}}")).isEqualTo("500000000");
        // and the kernel enforces them on the container's processes (cgroup v1 here, else v2)
        String pid = podman.inspect(container, "{{.State.Pid}}");
        java.util.Map<String, String> groups = new java.util.HashMap<>();
        for (String line : Files.readAllLines(Path.of("/proc", pid, "cgroup"))) {
            String[] f = line.split(":", 3);
            for (String c : f[1].split(",")) groups.put(f[1].isEmpty() ? "" : c, f[2]);
        }
        if (groups.containsKey("memory")) {
            assertThat(Path.of("/sys/fs/cgroup/memory" + groups.get("memory"), "memory.limit_in_bytes")).hasContent(Long.toString(16L << 20));
            assertThat(Path.of("/sys/fs/cgroup/cpu" + groups.get("cpu"), "cpu.cfs_quota_us")).hasContent("50000");
            assertThat(Path.of("/sys/fs/cgroup/cpu" + groups.get("cpu"), "cpu.cfs_period_us")).hasContent("100000");
        } else {
            assertThat(Path.of("/sys/fs/cgroup" + groups.get(""), "memory.max")).hasContent(Long.toString(16L << 20));
            assertThat(Path.of("/sys/fs/cgroup" + groups.get(""), "cpu.max")).hasContent("50000 100000");
        }
        assertThat(DynamicRig.get(agent.agent().gatewayPort(), "127.0.0.1", "/x/" + uuid + "/", agent.token).body()).startsWith("web sees: lean");

        Files.writeString(tmp.resolve("data/dynamic/" + uuid + "/work/go"), "");
        TestAgent.awaitTrue("the instance failed", () -> agent.get("/v1/dynamic/" + uuid).path("state").asText().equals("failed"), Duration.ofSeconds(60));
        JsonNode v = agent.get("/v1/dynamic/" + uuid);
        assertThat(v.path("parts").path("helper").asText()).as(v.toString()).isEqualTo("failed");
        assertThat(v.path("parts").path("web").asText()).as(v.toString()).isEqualTo("running");
        assertThat(v.path("reason").asText()).as(v.toString())
                .startsWith("part helper exited: out of memory (killed at its memory limit; ").contains("(1 of 1 within");
        assertThat(events.stream().filter(e -> e.contains("\"type\":\"dynamic\"") && e.contains(uuid) && e.contains("\"state\":\"failed\"")).toList())
                .as("the change to failed, as an event").singleElement().asString().contains("part helper exited: out of memory (killed at its memory limit");
        agent.ok("POST", "/v1/dynamic/" + uuid + "/close", null);
        DynamicRig.assertGone(tmp.resolve("data"), uuid);
    }

    @Test
    void anImageThatCannotBePulledFailsItsStepAndLeavesNothing() throws Exception {
        register("missing", "localhost/nosuch-image:1");
        TestAgent.Res r = agent.call("POST", "/v1/services/missing/open", null);
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        assertThat(r.json().path("state").asText()).as(r.body()).isEqualTo("failed");
        String uuid = r.json().path("uuid").asText();
        assertThat(r.json().path("reason").asText()).startsWith("pull image localhost/nosuch-image:1 for part helper: image localhost/nosuch-image:1 is not on this node and cannot be pulled");
        assertThat(indexOf(uuid, "\"step\":\"create namespace\"")).as("nothing made").isNegative();
        DynamicRig.assertGone(tmp.resolve("data"), uuid);
        agent.ok("POST", "/v1/dynamic/" + uuid + "/close", null);
    }

    private int indexOf(String uuid, String text) {
        for (int i = 0; i < events.size(); i++) {
            if (events.get(i).contains(uuid) && events.get(i).contains(text)) return i;
        }
        return -1;
    }
}
