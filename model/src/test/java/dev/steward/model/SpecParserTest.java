package dev.steward.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpecParserTest {
    @TempDir Path tmp;

    private static List<String> problems(String text) {
        try {
            SpecParser.parse(text, null);
        } catch (InvalidSpecException e) {
            return e.problems().stream().map(Problem::toString).toList();
        }
        throw new AssertionError("the spec was accepted: " + text);
    }

    @Test
    void readsAFullServiceSpec() throws Exception {
        Files.createDirectories(tmp.resolve("www"));
        Spec s = SpecParser.parse("""
                kind: service
                name: hello
                command: [python3, -m, http.server, "${PORT}"]
                dir: ./www
                env: {GREETING: hi, N: 3}
                resources: {memory: 256Mi, cpu: 0.5, pids: 256}
                policy: lingering
                linger: 45s
                restart: {delay: 200ms, max-delay: 5s, failures-limit: 3, window: 1m}
                ping: {http: /healthz, interval: 500ms, timeout: 100ms, failures: 2}
                route: {path: /hello, host: hello.localhost}
                """, tmp).spec();
        assertThat(s.name()).isEqualTo("hello");
        assertThat(s.command()).containsExactly("python3", "-m", "http.server", "${PORT}");
        assertThat(s.dir()).isEqualTo(tmp.resolve("www").toString());
        assertThat(s.env()).containsEntry("GREETING", "hi").containsEntry("N", "3");
        assertThat(s.resources()).isEqualTo(new Resources(256L << 20, 0.5, 256));
        assertThat(s.policy()).isEqualTo(PolicyKind.LINGERING);
        assertThat(s.linger()).isEqualTo(Duration.ofSeconds(45));
        assertThat(s.restart()).isEqualTo(new RestartPolicy(Duration.ofMillis(200), Duration.ofSeconds(5), 3, Duration.ofMinutes(1)));
        assertThat(s.ping().check()).isEqualTo(new Ping.Check.Http("/healthz"));
        assertThat(s.ping().failures()).isEqualTo(2);
        assertThat(s.ping().timeout()).isEqualTo(Duration.ofMillis(100));
        assertThat(s.route()).isEqualTo(new Route("/hello", "hello.localhost"));
    }

    @Test
    void readsJsonToo() {
        Spec s = SpecParser.parse("{\"name\": \"a\", \"command\": [\"true\"], \"policy\": \"on-demand\"}", null).spec();
        assertThat(s.kind()).isEqualTo(Kind.SERVICE);
        assertThat(s.policy()).isEqualTo(PolicyKind.ON_DEMAND);
        assertThat(s.ping().check()).isInstanceOf(Ping.Check.Tcp.class);
    }

    @Test
    void defaultsFollowTheContract() {
        Spec s = SpecParser.parse("name: a\ncommand: [x]\n", null).spec();
        assertThat(s.policy()).isEqualTo(PolicyKind.PERMANENT);
        assertThat(s.instances()).isEqualTo(Instances.fixed(1));
        assertThat(s.restart()).isEqualTo(RestartPolicy.DEFAULT);
        assertThat(s.isolate()).isEqualTo(IsolateSpec.PROCESS);
    }

    @Test
    void aStringCommandRunsInAShell() {
        assertThat(SpecParser.parse("name: a\ncommand: echo $PORT\n", null).spec().command())
                .containsExactly("/bin/sh", "-c", "echo $PORT");
    }

    @Test
    void listsEveryProblemWithItsField() {
        List<String> p = problems("""
                kind: servce
                name: Bad/Name
                command: 42
                policy: sometimes
                restart: {delay: fast, failures-limit: 0}
                ping: {http: healthz, interval: 1}
                colour: blue
                """);
        assertThat(p).anyMatch(s -> s.startsWith("kind: 'servce' is not a kind"))
                .anyMatch(s -> s.startsWith("name: 'Bad/Name' must not contain '/'"))
                .anyMatch(s -> s.startsWith("command: expected a list of strings, got the number 42"))
                .anyMatch(s -> s.startsWith("policy: 'sometimes' is not a policy"))
                .anyMatch(s -> s.startsWith("restart.delay: 'fast' is not a duration"))
                .anyMatch(s -> s.startsWith("restart.failures-limit: 0 (expected: 1-"))
                .anyMatch(s -> s.startsWith("ping.http: 'healthz' must start with /"))
                .anyMatch(s -> s.startsWith("ping.interval: expected a string, got the number 1"))
                .anyMatch(s -> s.startsWith("colour: unknown field"));
    }

    @Test
    void malformedYamlNamesTheLine() {
        assertThat(problems("name: a\ncommand: [x\nenv: {")).singleElement().asString()
                .startsWith("malformed YAML at line");
    }

    @Test
    void malformedJsonIsNamed() {
        assertThat(problems("{\"name\": \"a\",")).singleElement().asString().startsWith("malformed JSON");
    }

    @Test
    void duplicateKeysAreRefused() {
        assertThat(problems("name: a\nname: b\ncommand: [x]\n")).singleElement().asString().contains("Duplicate field 'name'");
    }

    @Test
    void notAMapIsRefused() {
        assertThat(problems("- a\n- b\n")).singleElement().asString().contains("must be a map");
        assertThat(problems("   ")).singleElement().asString().contains("empty");
    }

    @Test
    void missingNameAndCommand() {
        assertThat(problems("kind: service\n")).contains("name: a name is required", "command: a command is required");
    }

    @Test
    void namesWithPathSeparatorsAreRefused() {
        assertThat(problems("name: ../etc\ncommand: [x]\n")).singleElement().asString().contains("must not contain '/' or '..'");
        assertThat(problems("name: a..b\ncommand: [x]\n")).singleElement().asString().contains("must not contain");
    }

    @Test
    void needsMayNotNameItselfOrRepeat() {
        assertThat(problems("name: a\ncommand: [x]\nneeds: [a]\n")).contains("needs[0]: a service cannot need itself");
        assertThat(problems("name: a\ncommand: [x]\nneeds: [b, b]\n")).contains("needs: a name is listed twice");
    }

    @Test
    void aMissingDirIsRefused() {
        assertThat(problems("name: a\ncommand: [x]\ndir: /no/such/dir\n")).singleElement().asString()
                .startsWith("dir: '/no/such/dir' is not a directory nor a .tar.gz");
    }

    @Test
    void rangesAreOnlyForDynamic() {
        assertThat(problems("name: a\ncommand: [x]\ninstances: {min: 1, max: 2}\n")).anyMatch(s -> s.startsWith("instances: a range"));
        assertThat(problems("name: a\ncommand: [x]\npolicy: dynamic\ninstances: {min: 3, max: 2}\n")).contains("instances.min: min 3 is more than max 2");
        Spec s = SpecParser.parse("name: a\ncommand: [x]\npolicy: dynamic\ninstances: {min: 1, max: 4, target-concurrency: 5}\n", null).spec();
        assertThat(s.instances()).isEqualTo(new Instances(1, 4, 5));
    }

    @Test
    void routeOptionsAreReadAndCheckedFieldByField() {
        Spec s = SpecParser.parse("""
                name: a
                command: [x]
                route: {path: /a, strip: false, balance: round-robin, latency: {soft: 20ms, hard: 200ms}, timeout: 5s, max-body: 10Mi, max-connecting: 32}
                """, null).spec();
        assertThat(s.route()).isEqualTo(new Route("/a", null, false, Route.Balance.ROUND_ROBIN,
                new Route.Latency(java.time.Duration.ofMillis(20), java.time.Duration.ofMillis(200)), java.time.Duration.ofSeconds(5), 10L << 20, 32));
        assertThat(problems("name: a\ncommand: [x]\nroute: {balance: random, strip: yes please, timeout: 0s, max-body: lots, weight: 3, max-connecting: 0}\n"))
                .contains("route.max-connecting: 0 (expected: 1-100000)", "route.balance: 'random' is not a balance (expected: least-requests or round-robin)",
                        "route.timeout: must be more than 0")
                .anyMatch(p -> p.startsWith("route.strip: expected true or false"))
                .anyMatch(p -> p.startsWith("route.max-body: 'lots' is not a size"))
                .anyMatch(p -> p.startsWith("route: unknown field 'weight'") || p.contains("weight"));
        assertThat(problems("name: a\ncommand: [x]\nroute: {latency: {soft: 2s, hard: 1s}}\n")).contains("route.latency.hard: is less than soft");
        assertThat(problems("name: a\ncommand: [x]\nroute: {latency: {}}\n")).contains("route.latency: give soft, hard or both");
    }

    @Test
    void scalingWindowsAreForDynamicRanges() {
        Spec s = SpecParser.parse("name: a\ncommand: [x]\npolicy: dynamic\ninstances: {max: 4, stable-window: 30s, panic-window: 3s}\n", null).spec();
        assertThat(s.instances().stableWindow()).isEqualTo(java.time.Duration.ofSeconds(30));
        assertThat(s.instances().panicWindow()).isEqualTo(java.time.Duration.ofSeconds(3));
        assertThat(problems("name: a\ncommand: [x]\npolicy: dynamic\ninstances: {max: 4, stable-window: 10s, panic-window: 20s}\n"))
                .contains("instances.panic-window: must be more than 0 and at most the stable window");
        assertThat(problems("name: a\ncommand: [x]\npolicy: dynamic\ninstances: {max: 4, stable-window: 10ms}\n"))
                .contains("instances.stable-window: 10ms is under the least, 1s");
    }

    @Test
    void pingTakesExactlyOneCheck() {
        assertThat(problems("name: a\ncommand: [x]\nping: {http: /, tcp: true}\n")).contains("ping: give one of http, tcp or exec, not several");
        assertThat(problems("name: a\ncommand: [x]\nping: {interval: 1s}\n")).contains("ping: one of http, tcp or exec is required");
        Spec s = SpecParser.parse("name: a\ncommand: [x]\nping: {exec: [test, -f, ready]}\n", null).spec();
        assertThat(s.ping().check()).isEqualTo(new Ping.Check.Exec(List.of("test", "-f", "ready")));
    }

    @Test
    void pingNoneMeansRunningIsReady() {
        assertThat(SpecParser.parse("name: a\ncommand: [x]\nping: none\n", null).spec().ping()).isNull();
        assertThat(SpecParser.parse("name: a\ncommand: [x]\nping: false\n", null).spec().ping()).isNull();
        assertThat(problems("name: a\nping: none\nping-only: {endpoint: \"tcp://h:1\"}\n")).contains("ping: a ping-only service must be pinged");
    }

    @Test
    void pingOnlyServicesTakeNoCommand() {
        Spec s = SpecParser.parse("name: ext\nping-only: {endpoint: \"http://127.0.0.1:9000\"}\n", null).spec();
        assertThat(s.isPingOnly()).isTrue();
        assertThat(s.hasPort()).isFalse();
        assertThat(problems("name: ext\ncommand: [x]\nping-only: {endpoint: \"ftp://h\"}\n"))
                .anyMatch(p -> p.startsWith("ping-only.endpoint: 'ftp://h'"))
                .anyMatch(p -> p.startsWith("command: a ping-only service"));
    }

    @Test
    void jobsTakeNoPolicyNorPing() {
        assertThat(problems("kind: job\nname: j\ncommand: [x]\npolicy: permanent\nping: {tcp: true}\n"))
                .contains("policy: a job runs to completion and takes no policy", "ping: a job is not pinged");
        Spec s = SpecParser.parse("kind: job\nname: j\ncommand: [x]\nneeds: [db]\n", null).spec();
        assertThat(s.kind()).isEqualTo(Kind.JOB);
        assertThat(s.ping()).isNull();
    }

    @Test
    void setWritesNestedKeysAndScalarsKeepTheirType() {
        var tree = SpecParser.readTree("name: a\ncommand: [x]\n");
        SpecParser.set(tree, "instances", SpecParser.scalar("3"));
        SpecParser.set(tree, "env.GREETING", SpecParser.scalar("hi"));
        Spec s = SpecParser.fromTree(tree, null).spec();
        assertThat(s.instances().max()).isEqualTo(3);
        assertThat(s.env()).containsEntry("GREETING", "hi");
    }

    @Test
    void setRefusesKeysWithEmptySegments() {
        for (String key : new String[] {".", "..", "a.", ".a", "a..b", ""}) {
            var tree = SpecParser.readTree("name: a\ncommand: [x]\n");
            assertThatThrownBy(() -> SpecParser.set(tree, key, SpecParser.scalar("x"))).as(key)
                    .isInstanceOf(InvalidSpecException.class).hasMessageContaining("empty key segment");
        }
    }

    @Test
    void resourcesMeanTheSandboxAndItsOptionsAreChecked() {
        assertThat(SpecParser.parse("name: a\ncommand: [x]\nresources: {memory: 1Mi}\n", null).spec().isolate().type()).isEqualTo("sandbox");
        assertThat(problems("name: a\ncommand: [x]\nisolate: process\nresources: {pids: 5}\n")).contains(
                "resources: the process isolate cannot enforce limits; use isolate: sandbox");
        assertThat(problems("name: a\ncommand: [x]\nisolate: {type: sandbox, options: {network: wide, disk: big}}\n"))
                .contains("isolate.options.network: 'wide' (expected: host or none)")
                .anyMatch(p -> p.startsWith("isolate.options.disk: unknown sandbox option"));
        Spec s = SpecParser.parse("name: a\ncommand: [x]\nisolate: sandbox\nuser: nobody\n", null).spec();
        assertThat(s.isolate().options()).containsEntry("user", "nobody");
        assertThat(SpecParser.parse("name: a\ncommand: [x]\nuser: nobody\n", null).spec().isolate().options()).containsEntry("user", "nobody");
        assertThat(problems("name: a\nisolate: container\nimage: busybox\ncommand: [x]\nuser: nobody\n"))
                .contains("user: a container runs as its image's user (set USER in the image)");
        assertThat(SpecParser.parse("name: a\ncommand: [x]\nadministrators: [bob, carol]\n", null).spec().administrators()).containsExactly("bob", "carol");
        assertThat(problems("name: a\ncommand: [x]\nadministrators: bob\n")).anyMatch(p -> p.startsWith("administrators:"));
        assertThat(problems("name: a\ncommand: [x]\nisolate: sandbox\nuser: ../root\n")).contains("user: '../root' is not a user name or id");
    }

    @Test
    void wrongTypesAreNamed() {
        assertThat(problems("name: a\ncommand: [x]\ninstances: two\nenv: [a]\nresources: {cpu: lots}\n"))
                .contains("instances: expected a whole number, got the string 'two'", "env: expected a map, got a list",
                        "resources.cpu: expected a number, got the string 'lots'");
    }

    @Test
    void placementTakesNodeLabelsAndSpreadAndNamesEachProblem() {
        Spec s = SpecParser.parse("name: a\ncommand: [x]\nplacement: {node-labels: {zone: a}, spread: rack}\n", null).spec();
        assertThat(s.placement().nodeLabels()).containsExactly(java.util.Map.entry("zone", "a"));
        assertThat(s.placement().spread()).isEqualTo("rack");
        assertThat(s.placement().admits(java.util.Map.of("zone", "a", "rack", "1"))).isTrue();
        assertThat(s.placement().admits(java.util.Map.of("zone", "b"))).isFalse();
        assertThat(SpecParser.parse("name: a\ncommand: [x]\n", null).spec().placement()).isEqualTo(Placement.ANY);
        assertThat(problems("name: a\ncommand: [x]\nplacement: {node-label: {zone: a}, spread: Zone}\n")).containsExactlyInAnyOrder(
                "placement.node-label: unknown field (expected one of: affinity, anti-affinity, node-labels, spread)",
                "placement.spread: 'Zone' is not a label name (expected: lowercase letters, digits, '.', '_', '/', '-'; up to 63)");
        assertThat(problems("name: a\ncommand: [x]\nplacement: {node-labels: {zone: [a]}}\n"))
                .containsExactly("placement.node-labels.zone: expected a string, got a list");
        assertThat(problems("name: a\ncommand: [x]\nplacement: zone\n")).containsExactly("placement: expected a map, got the string 'zone'");
    }

    @Test
    void placementTakesAffinityAndAntiAffinityAndRefusesBadNames() {
        Spec s = SpecParser.parse("name: web\ncommand: [x]\nplacement: {affinity: [db], anti-affinity: [cache, batch]}\n", null).spec();
        assertThat(s.placement().affinity()).containsExactly("db");
        assertThat(s.placement().antiAffinity()).containsExactly("cache", "batch");
        assertThat(problems("name: web\ncommand: [x]\nplacement: {affinity: db}\n"))
                .containsExactly("placement.affinity: expected a list of strings, got the string 'db'");
        assertThat(problems("name: web\ncommand: [x]\nplacement: {anti-affinity: [{a: 1}]}\n")).hasSize(1)
                .allSatisfy(p -> assertThat(p).startsWith("placement.anti-affinity"));
        assertThat(problems("name: web\ncommand: [x]\nplacement: {affinity: [web], anti-affinity: [Db, x, x]}\n")).containsExactlyInAnyOrder(
                "placement.affinity[0]: 'web' is this service itself (expected: other services)",
                "placement.anti-affinity[0]: " + Names.problem("Db"),
                "placement.anti-affinity: a name is listed twice");
        assertThat(problems("name: web\ncommand: [x]\nplacement: {affinity: [db], anti-affinity: [db]}\n"))
                .containsExactly("placement: 'db' is in both affinity and anti-affinity");
        assertThat(problems("name: web\ncommand: [x]\nplacement: {affinities: [db]}\n"))
                .containsExactly("placement.affinities: unknown field (expected one of: affinity, anti-affinity, node-labels, spread)");
    }
}
