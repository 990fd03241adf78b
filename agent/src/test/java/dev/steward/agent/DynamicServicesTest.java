package dev.steward.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Dynamic services (issue 14): instances of a two-part service opened, reached, isolated, closed. */
class DynamicServicesTest extends DynamicAgentTest {
    private int gatewayPort() {
        return agent.agent().gatewayPort();
    }

    private JsonNode open(String service) {
        TestAgent.Res r = agent.call("POST", "/v1/services/" + service + "/open", null);
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json();
    }

    @Test
    void twoPartsAreReachedByTheInstancesHostAndPathAndCloseLeavesNothing() throws Exception {
        agent.register(DynamicRig.spec(tmp, "notebook", null));
        JsonNode none = agent.get("/v1/services/notebook");
        assertThat(none.path("opened").isArray() && none.path("opened").isEmpty()).as(none.toString()).isTrue();
        assertThat(none.path("reason").asText()).isEqualTo("no open instance (steward service open notebook opens one)");
        JsonNode v = open("notebook");
        String uuid = v.path("uuid").asText();
        // the registry's view of the service shows its open instances as they are listed, its state theirs
        JsonNode service = agent.get("/v1/services/notebook");
        assertThat(service.path("state").asText()).as(service.toString()).isEqualTo("running");
        assertThat(service.path("reason").asText()).isEqualTo("1 open instance");
        assertThat(service.path("opened")).isEqualTo(agent.get("/v1/services/notebook/opened"));
        assertThat(service.path("opened").get(0).path("url").asText()).isEqualTo(v.path("url").asText());
        JsonNode listed = agent.get("/v1/services");
        assertThat(listed.findValues("opened")).as("only the service with parts has open instances").hasSize(1);
        assertThat(v.path("state").asText()).as(v.toString()).isEqualTo("running");
        assertThat(v.path("url").asText()).isEqualTo("http://" + uuid + ".services.localhost:" + gatewayPort() + "/");
        assertThat(v.path("path").asText()).isEqualTo("/x/" + uuid + "/");
        assertThat(v.path("parts").path("helper").asText()).isEqualTo("running");

        TestAgent.Res byHost = DynamicRig.get(gatewayPort(), uuid + ".services.localhost:" + gatewayPort(), "/", agent.token);
        assertThat(byHost.status()).as(byHost.body()).isEqualTo(200);
        assertThat(byHost.body()).startsWith("web sees: helper here");
        TestAgent.Res byPath = DynamicRig.get(gatewayPort(), "127.0.0.1", "/x/" + uuid + "/", agent.token);
        assertThat(byPath.status()).as(byPath.body()).isEqualTo(200);
        assertThat(byPath.body()).startsWith("web sees: helper here");
        // cgroup v1 with cpu a hierarchy of its own: the parts (no CPU limit) have memory groups but no cpu group, so they
        // weigh as plain processes rather than share the weight of one under steward/
        String scope = dev.steward.agent.isolate.NodeScope.of(tmp.resolve("data")).id();
        Path memory = Path.of("/sys/fs/cgroup/memory/steward", scope, "notebook");
        if (Files.isDirectory(memory) && !Path.of("/sys/fs/cgroup/cpu").toRealPath().equals(Path.of("/sys/fs/cgroup/cpuacct").toRealPath())) {
            try (var groups = Files.list(memory)) {
                assertThat(groups.filter(Files::isDirectory).map(g -> g.getFileName().toString()))
                        .containsExactlyInAnyOrder(uuid + "-web", uuid + "-helper");
            }
            assertThat(Path.of("/sys/fs/cgroup/cpu/steward", scope, "notebook", uuid + "-web")).doesNotExist();
            assertThat(Path.of("/sys/fs/cgroup/cpuacct/steward", scope, "notebook", uuid + "-web", "cpuacct.usage")).exists();
        }

        assertThat(agent.get("/v1/services/notebook/opened")).extracting(n -> n.path("uuid").asText()).containsExactly(uuid);
        for (String step : List.of("create namespace", "restore state", "copy inputs", "start part helper", "ping part helper",
                "start part web", "wait for entrypoint", "route")) {
            TestAgent.awaitLine(events, "\"step\":\"" + step + "\"");
        }
        assertThat(events.stream().filter(e -> e.contains("\"step\":\"start part helper\"")).findFirst().orElseThrow())
                .contains("\"millis\":").contains("\"ok\":true").contains(uuid);
        int helperIndex = indexOf("start part helper");
        assertThat(helperIndex).isLessThan(indexOf("start part web"));

        TestAgent.Res unregister = agent.call("DELETE", "/v1/services/notebook", null);
        assertThat(unregister.status()).isEqualTo(409);
        assertThat(unregister.body()).contains("has 1 open instance; close them first");
        JsonNode closed = agent.ok("POST", "/v1/dynamic/" + uuid + "/close", null).path("closed");
        assertThat(closed.path("state").asText()).as(closed.toString()).isEqualTo("complete");
        DynamicRig.assertGone(tmp.resolve("data"), uuid);
        assertThat(agent.call("GET", "/v1/dynamic/" + uuid, null).status()).isEqualTo(404);
        assertThat(DynamicRig.get(gatewayPort(), "127.0.0.1", "/x/" + uuid + "/", agent.token).status()).isEqualTo(404);
        assertThat(agent.get("/v1/services/notebook/opened")).isEmpty();
        assertThat(agent.get("/v1/services/notebook").path("opened")).isEmpty();
    }

    private int indexOf(String step) {
        for (int i = 0; i < events.size(); i++) {
            if (events.get(i).contains("\"step\":\"" + step + "\"")) return i;
        }
        return -1;
    }

    @Test
    void aFailingStepSaysWhichAndWhyAndLeavesNothing() throws Exception {
        agent.register(DynamicRig.spec(tmp, "broken", "[sh, -c, \"echo helper gives up; exit 3\"]"));
        JsonNode v = open("broken");
        String uuid = v.path("uuid").asText();
        assertThat(v.path("state").asText()).as(v.toString()).isEqualTo("failed");
        assertThat(v.path("reason").asText()).startsWith("ping part helper: part helper exited");
        assertThat(v.path("routed").asBoolean()).isFalse();
        TestAgent.awaitLine(events, "\"step\":\"ping part helper\"");
        assertThat(events.stream().filter(e -> e.contains("\"step\":\"ping part helper\"")).findFirst().orElseThrow()).contains("\"ok\":false");
        assertThat(events.stream().anyMatch(e -> e.contains("\"step\":\"start part web\""))).as("the web part never starts").isFalse();
        DynamicRig.assertGone(tmp.resolve("data"), uuid);
        assertThat(DynamicRig.get(gatewayPort(), "127.0.0.1", "/x/" + uuid + "/", agent.token).status()).isEqualTo(503);
        // a failed instance is shown until it is closed, and then forgotten
        assertThat(agent.get("/v1/dynamic/" + uuid).path("state").asText()).isEqualTo("failed");
        agent.ok("POST", "/v1/dynamic/" + uuid + "/close", null);
        assertThat(agent.call("GET", "/v1/dynamic/" + uuid, null).status()).isEqualTo(404);
    }

    @Test
    void inputsGoInOutputsComeOutAndStateComesBackAtTheOwnersNextOpen() throws Exception {
        agent.register(DynamicRig.spec(tmp, "notebook", null));
        Path inputs = Files.createDirectories(tmp.resolve("inputs"));
        Files.writeString(inputs.resolve("hello.txt"), "from the user");
        RawHttp up = RawHttp.send(agent, "POST", "/v1/services/notebook/open", "Content-Length: " + TestApps.tarGz(inputs).length);
        TestAgent.Res r = up.body(TestApps.tarGz(inputs)).response();
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        String first = r.json().path("uuid").asText();
        TestAgent.Res page = DynamicRig.get(gatewayPort(), "127.0.0.1", "/x/" + first + "/", agent.token);
        assertThat(page.body()).isEqualTo("web sees: helper here; count=1; input=from the user");
        agent.ok("POST", "/v1/dynamic/" + first + "/close", null);
        assertThat(tmp.resolve("data/outputs/notebook/" + first + "/result.txt")).hasContent("made by " + first);
        assertThat(tmp.resolve("data/dynamic-state/notebook/admin/work/count")).hasContent("1");

        String second = open("notebook").path("uuid").asText();
        assertThat(DynamicRig.get(gatewayPort(), "127.0.0.1", "/x/" + second + "/", agent.token).body()).isEqualTo("web sees: helper here; count=2; input=");
        agent.ok("POST", "/v1/dynamic/" + second + "/close?save=false", null);
        assertThat(tmp.resolve("data/dynamic-state/notebook/admin/work/count")).as("not saved: --no-save").hasContent("1");
        String third = open("notebook").path("uuid").asText();
        assertThat(DynamicRig.get(gatewayPort(), "127.0.0.1", "/x/" + third + "/", agent.token).body()).contains("count=2");
        agent.ok("POST", "/v1/dynamic/" + third + "/close", null);
    }

    @Test
    void outputsArePulledWhileTheInstanceRunsLeavingOutLinks() throws Exception {
        agent.register(DynamicRig.spec(tmp, "notebook", null));
        String uuid = open("notebook").path("uuid").asText();
        assertThat(DynamicRig.get(gatewayPort(), "127.0.0.1", "/x/" + uuid + "/", agent.token).status()).isEqualTo(200); // writes result.txt
        Path out = tmp.resolve("data/dynamic/" + uuid + "/out");
        Files.createDirectories(out.resolve("sub"));
        Files.writeString(out.resolve("sub/deep.txt"), "deep");
        Path secret = Files.writeString(tmp.resolve("secret.txt"), "not the instance's");
        Files.createSymbolicLink(out.resolve("secret"), secret); // a part's link pointing out of its folder
        Files.createSymbolicLink(out.resolve("up"), Path.of("..")); // and one to the folder above
        String pull = "/v1/dynamic/" + uuid + "/outputs";

        var res = java.net.http.HttpClient.newHttpClient().send(agent.request(pull).GET().build(), java.net.http.HttpResponse.BodyHandlers.ofByteArray());
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.headers().firstValue("content-type")).hasValue("application/gzip");
        assertThat(res.headers().firstValue("steward-left-out")).hasValue("2");
        java.util.Map<String, String> entries = new java.util.TreeMap<>();
        try (var tar = new org.apache.commons.compress.archivers.tar.TarArchiveInputStream(
                new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(res.body())))) {
            for (var e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
                entries.put(e.getName(), e.isDirectory() ? "(folder)" : new String(tar.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
            }
        }
        assertThat(entries).containsExactly(java.util.Map.entry("result.txt", "made by " + uuid), java.util.Map.entry("sub/", "(folder)"),
                java.util.Map.entry("sub/deep.txt", "deep"));
        assertThat(agent.get("/v1/dynamic/" + uuid).path("state").asText()).as("still running").isEqualTo("running");

        String bob = agent.ok("POST", "/v1/tokens", "{\"name\": \"bob\", \"role\": \"user\"}").path("token").asText();
        assertThat(agent.call("GET", pull, null, java.util.Map.of("Authorization", "Bearer " + bob)).status()).as("another user").isEqualTo(403);
        TestAgent.Res unknown = agent.call("GET", "/v1/dynamic/" + java.util.UUID.randomUUID() + "/outputs", null);
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.body()).contains("no open instance");
        assertThat(agent.call("GET", "/v1/dynamic/..%2F..%2Fetc/outputs", null).status()).isIn(400, 404);
        assertThat(agent.call("GET", "/v1/dynamic/not-a-uuid/outputs", null).status()).isEqualTo(400);
        agent.ok("POST", "/v1/dynamic/" + uuid + "/close", null);
        assertThat(agent.call("GET", pull, null).status()).as("closed: its outputs were pushed").isEqualTo(404);
        assertThat(tmp.resolve("data/outputs/notebook/" + uuid + "/result.txt")).hasContent("made by " + uuid);
    }

    @Test
    void instancesOfOneServiceCannotReachEachOtherNorTheMachine() throws Exception {
        agent.register(DynamicRig.spec(tmp, "notebook", null));
        List<JsonNode> opened = new ArrayList<>();
        for (int i = 0; i < 3; i++) opened.add(open("notebook"));
        for (JsonNode a : opened) {
            String ns = "steward-" + dev.steward.agent.isolate.NodeScope.of(tmp.resolve("data")).id() + "-" + a.path("uuid").asText();
            for (JsonNode b : opened) {
                String target = b.path("address").asText();
                TestAgent.Res probe = DynamicRig.run("ip", "netns", "exec", ns, "python3", "-c", CONNECT, target, "8080");
                if (a == b) assertThat(probe.body()).as("its own entrypoint").startsWith("connected");
                else assertThat(probe.body()).as(a.path("uuid") + " -> " + target).startsWith("refused");
            }
            String hostEnd = a.path("address").asText().replaceAll("\\.\\d+$", "") + "." + (lastOctet(a) - 1);
            TestAgent.Res toHost = DynamicRig.run("ip", "netns", "exec", ns, "python3", "-c", CONNECT, hostEnd, Integer.toString(agent.agent().apiPort()));
            assertThat(toHost.body()).as("the agent's side of the veth").startsWith("refused");
            // each instance's helper is its own, on its localhost
            assertThat(DynamicRig.get(gatewayPort(), "127.0.0.1", "/x/" + a.path("uuid").asText() + "/", agent.token).body()).startsWith("web sees: helper here");
        }
        assertThat(opened.stream().map(o -> o.path("address").asText()).distinct()).hasSize(3);
        for (JsonNode o : opened) agent.ok("POST", "/v1/dynamic/" + o.path("uuid").asText() + "/close?save=false", null);
        assertThat(DynamicRig.namespaces(tmp.resolve("data"))).isEmpty();
    }

    private static int lastOctet(JsonNode v) {
        String a = v.path("address").asText();
        return Integer.parseInt(a.substring(a.lastIndexOf('.') + 1));
    }

    private static final String CONNECT = """
            import socket, sys
            s = socket.socket(); s.settimeout(2)
            try:
                s.connect((sys.argv[1], int(sys.argv[2]))); print("connected")
            except Exception as e:
                print("refused", e)
            """;

    @Test
    void onlyTheOpenerAndAdminsReachTheInstanceAndItNeverSeesTheirTokens() throws Exception {
        agent.register(DynamicRig.spec(tmp, "notebook", null));
        String alice = agent.ok("POST", "/v1/tokens", "{\"name\": \"alice\", \"role\": \"user\"}").path("token").asText();
        String bob = agent.ok("POST", "/v1/tokens", "{\"name\": \"bob\", \"role\": \"user\"}").path("token").asText();
        TestAgent.Res r = agent.call("POST", "/v1/services/notebook/open", null, java.util.Map.of("Authorization", "Bearer " + alice));
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        assertThat(r.json().path("owner").asText()).isEqualTo("alice");
        String path = "/x/" + r.json().path("uuid").asText() + "/";

        assertThat(DynamicRig.get(gatewayPort(), "127.0.0.1", path, null).status()).isEqualTo(401);
        assertThat(DynamicRig.get(gatewayPort(), "127.0.0.1", path, "steward_nosuchtoken").status()).isEqualTo(401);
        TestAgent.Res asBob = DynamicRig.get(gatewayPort(), "127.0.0.1", path, bob);
        assertThat(asBob.status()).isEqualTo(403);
        assertThat(asBob.body()).contains("alice");
        assertThat(DynamicRig.get(gatewayPort(), "127.0.0.1", path, bob, true).status()).isEqualTo(403);
        assertThat(DynamicRig.get(gatewayPort(), "127.0.0.1", path, alice).status()).isEqualTo(200);
        assertThat(DynamicRig.get(gatewayPort(), "127.0.0.1", path, alice, true).status()).isEqualTo(200);
        assertThat(DynamicRig.get(gatewayPort(), "127.0.0.1", path, agent.token).status()).as("an admin").isEqualTo(200);
        assertThat(DynamicRig.get(gatewayPort(), "127.0.0.1", path + "headers", alice, true).body()).isEqualTo("auth=None cookie=theme=dark");
        assertThat(DynamicRig.get(gatewayPort(), "127.0.0.1", path + "headers", alice).body()).isEqualTo("auth=None cookie=None");

        String close = "/v1/dynamic/" + r.json().path("uuid").asText() + "/close";
        assertThat(agent.call("POST", close, null, java.util.Map.of("Authorization", "Bearer " + bob)).status()).isEqualTo(403);
        assertThat(agent.call("POST", close, null, java.util.Map.of("Authorization", "Bearer " + alice)).status()).isEqualTo(200);
    }

    @Test
    void partsThatNeedNothingOfEachOtherStartTogetherAndThoseThatNeedThemAfterTheirPings() throws Exception {
        DynamicRig.spec(tmp, "unused", null); // writes the programs
        agent.register("""
                name: fan
                parts:
                  web: {command: [python3, %s], needs: [helper, other]}
                  helper: {command: [sh, -c, "sleep 1; exec python3 %s"], port: 9000, ping: {tcp: true, interval: 50ms}}
                  other: {command: [sh, -c, "sleep 1; exec python3 -m http.server 9001 --bind 127.0.0.1"], port: 9001, ping: {tcp: true, interval: 50ms}}
                entrypoint: web:8080
                """.formatted(tmp.resolve("web.py"), tmp.resolve("helper.py")));
        JsonNode v = open("fan");
        assertThat(v.path("state").asText()).as(v.toString()).isEqualTo("running");
        for (String step : List.of("ping part helper", "ping part other", "start part web", "wait for entrypoint", "route")) {
            TestAgent.awaitLine(events, "\"step\":\"" + step + "\"");
        }
        // each waits a second before it listens: started one after the other, a ping would pass before the next start
        assertThat(indexOf("start part other")).as("both started before either is pinged").isLessThan(indexOf("ping part helper"));
        assertThat(indexOf("start part helper")).isLessThan(indexOf("ping part other"));
        assertThat(indexOf("start part web")).as("the web part after both its needs passed their pings")
                .isGreaterThan(indexOf("ping part helper")).isGreaterThan(indexOf("ping part other"));
        assertThat(events.stream().filter(e -> e.contains("\"step\":\"ping part")).toList()).allMatch(e -> e.contains("\"ok\":true"));
        TestAgent.Res byPath = DynamicRig.get(gatewayPort(), "127.0.0.1", "/x/" + v.path("uuid").asText() + "/", agent.token);
        assertThat(byPath.body()).startsWith("web sees: helper here");
        agent.ok("POST", "/v1/dynamic/" + v.path("uuid").asText() + "/close", null);
        DynamicRig.assertGone(tmp.resolve("data"), v.path("uuid").asText());
    }

    @Test
    void aPartThatEndsWhileAnotherIsPingedFailsTheOpenAndTheOtherWaitIsDropped() throws Exception {
        DynamicRig.spec(tmp, "unused", null); // writes the programs
        agent.register("""
                name: fan
                parts:
                  web: {command: [python3, %s], needs: [helper, broken]}
                  helper: {command: [sh, -c, "sleep 2; exec python3 %s"], port: 9000, ping: {tcp: true, interval: 50ms}}
                  broken: {command: [sh, -c, "sleep 0.3; exit 3"], port: 9001, ping: {tcp: true, interval: 50ms}}
                entrypoint: web:8080
                """.formatted(tmp.resolve("web.py"), tmp.resolve("helper.py")));
        JsonNode v = open("fan");
        String uuid = v.path("uuid").asText();
        assertThat(v.path("state").asText()).as(v.toString()).isEqualTo("failed");
        assertThat(v.path("reason").asText()).as("the step that saw it, and which part ended how").startsWith("ping part ")
                .contains("part broken exited: exit status 3");
        TestAgent.awaitLine(events, "\"step\":\"remove\"");
        assertThat(events.stream().filter(e -> e.contains("\"step\":\"ping part")).toList()).as("one wait reported, failed")
                .singleElement().asString().contains("\"ok\":false");
        assertThat(events.stream().anyMatch(e -> e.contains("\"step\":\"start part web\""))).as("the web part never starts").isFalse();
        DynamicRig.assertGone(tmp.resolve("data"), uuid);
        agent.ok("POST", "/v1/dynamic/" + uuid + "/close", null);
    }

    @Test
    void anInstanceIsInTheLowestStateOfItsPartsWhileOnePartIsHeldInStarting() throws Exception {
        DynamicRig.spec(tmp, "unused", null); // writes the programs
        Path go = tmp.resolve("go");
        agent.register("""
                name: held
                parts:
                  web: {command: [python3, %s], needs: [helper], ping: {exec: [test, -e, %s], interval: 50ms}}
                  helper: {command: [python3, %s], port: 9000, ping: {tcp: true, interval: 50ms}}
                entrypoint: web:8080
                """.formatted(tmp.resolve("web.py"), go, tmp.resolve("helper.py")));
        var opening = java.util.concurrent.CompletableFuture.supplyAsync(() -> agent.call("POST", "/v1/services/held/open", null));
        JsonNode[] seen = new JsonNode[1];
        TestAgent.awaitTrue("the instance starting, its helper running and its web part starting", () -> {
            JsonNode list = agent.get("/v1/services/held/opened");
            if (list.isEmpty()) return false;
            seen[0] = list.get(0);
            return seen[0].path("state").asText().equals("starting") && seen[0].path("parts").path("helper").asText().equals("running")
                    && seen[0].path("parts").path("web").asText().equals("starting");
        }, Duration.ofSeconds(30));
        assertThat(seen[0].path("routed").asBoolean()).isFalse();
        String uuid = seen[0].path("uuid").asText();
        TestAgent.awaitTrue("the helper's last log line in the instance's view", () -> agent.get("/v1/dynamic/" + uuid).path("logs").path("helper")
                .toString().contains("helper listening on 9000"), Duration.ofSeconds(10));
        JsonNode detail = agent.get("/v1/dynamic/" + uuid);
        assertThat(detail.path("state").asText()).isEqualTo("starting");
        assertThat(detail.path("logs").path("web").isArray()).as(detail.toString()).isTrue();
        JsonNode service = agent.get("/v1/services/held");
        assertThat(service.path("state").asText()).as("the lowest of its instances': " + service).isEqualTo("starting");
        assertThat(service.path("opened").get(0).path("uuid").asText()).isEqualTo(uuid);
        assertThat(DynamicRig.get(gatewayPort(), "127.0.0.1", "/x/" + seen[0].path("uuid").asText() + "/", agent.token).status())
                .as("not routed while starting").isEqualTo(503);
        assertThat(opening).isNotDone();
        Files.writeString(go, "");
        TestAgent.Res r = opening.get(60, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(r.json().path("state").asText()).as(r.body()).isEqualTo("running");
        assertThat(agent.get("/v1/services/held").path("state").asText()).isEqualTo("running");
        agent.ok("POST", "/v1/dynamic/" + r.json().path("uuid").asText() + "/close", null);
    }

    @Test
    void namespacesAreMadeAheadOfTheOpensGivenWithTheirUuidAndRemovedWithTheAgent() throws Exception {
        agent.register(DynamicRig.spec(tmp, "notebook", null));
        Path data = tmp.resolve("data");
        String first = open("notebook").path("uuid").asText();
        TestAgent.awaitTrue("two spare namespaces made after the first open", () -> {
            try {
                return DynamicRig.spares(data).size() == 2;
            } catch (Exception e) {
                return false;
            }
        }, Duration.ofSeconds(60));
        List<String> spares = DynamicRig.spares(data);
        assertThat(DynamicRig.namespaces(data)).as("a spare is no instance's").containsExactly("steward-" + scope() + "-" + first);
        String second = open("notebook").path("uuid").asText();
        assertThat(spares).as("the next open takes a spare, its UUID the instance's").contains("stwspare-" + scope() + "-" + second);
        assertThat(DynamicRig.spares(data)).doesNotContain("stwspare-" + scope() + "-" + second);
        assertThat(DynamicRig.namespaces(data)).contains("steward-" + scope() + "-" + second);
        assertThat(DynamicRig.veth(second)).isTrue();
        String step = events.stream().filter(e -> e.contains(second) && e.contains("\"step\":\"create namespace\"")).findFirst().orElseThrow();
        assertThat(step).contains("\"ok\":true");
        // the instance in the namespace made ahead is as isolated as one made at its open, and served
        TestAgent.Res probe = DynamicRig.run("ip", "netns", "exec", "steward-" + scope() + "-" + second, "nft", "list", "table", "inet", "steward");
        assertThat(probe.body()).contains("oifname \"eth0\" ct state new drop");
        assertThat(DynamicRig.get(gatewayPort(), "127.0.0.1", "/x/" + second + "/", agent.token).body()).startsWith("web sees: helper here");
        agent.ok("POST", "/v1/dynamic/" + second + "/close?save=false", null);
        DynamicRig.assertGone(data, second);
        agent.ok("POST", "/v1/dynamic/" + first + "/close?save=false", null);
        agent.close();
        agent = null;
        assertThat(DynamicRig.spares(data)).as("the agent's stop removes its spares").isEmpty();
        for (String s : spares) assertThat(DynamicRig.veth(s.substring(s.length() - 36))).as("the veth of " + s).isFalse();
        assertThat(DynamicRig.namespaces(data)).isEmpty();
    }

    private String scope() throws java.io.IOException {
        return dev.steward.agent.isolate.NodeScope.of(tmp.resolve("data")).id();
    }

    @Test
    void aDevAgentsStopClosesItsInstancesSavingTheirState() throws Exception {
        agent.register(DynamicRig.spec(tmp, "notebook", null));
        String uuid = open("notebook").path("uuid").asText();
        agent.close();
        agent = null;
        assertThat(DynamicRig.namespaces(tmp.resolve("data"))).isEmpty();
        assertThat(DynamicRig.veth(uuid)).isFalse();
        assertThat(tmp.resolve("data/dynamic-state/notebook/admin/work/count")).hasContent("1");
    }
}
