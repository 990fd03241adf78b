package dev.steward.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProfileAndManifestTest {
    static List<String> profileProblems(String text) {
        return catchThrowableOfType(InvalidSpecException.class, () -> Profile.parse(text)).problems().stream().map(Problem::toString).toList();
    }

    @Test
    void defaultsFollowTheProtocol() {
        Profile p = Profile.defaults();
        assertThat(p.queueLimit()).isEqualTo(100);
        assertThat(p.poolLimit()).isEqualTo(10);
        assertThat(p.concurrency()).isEqualTo(10);
        assertThat(p.growThreshold()).isEqualTo(5); // max(1, 100 / 10 / 2)
        assertThat(p.heartbeatTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(p.idleTimeout()).isEqualTo(Duration.ofSeconds(600));
        assertThat(p.startupTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(p.terminationTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(p.isolate()).isEqualTo("process");
    }

    @Test
    void secondsAsNumbersAndDurationsAndTheOldSpawnThreshold() {
        Profile p = Profile.parse("{\"queue-limit\": 0, \"pool-limit\": 4, \"spawn-threshold\": 3, \"heartbeat-timeout\": 2.5,"
                + " \"idle-timeout\": \"0s\", \"startup-timeout\": \"500ms\", \"isolate\": {\"type\": \"sandbox\", \"args\": {\"memory\": \"64Mi\"}}}");
        assertThat(p.queueLimit()).isZero();
        assertThat(p.growThreshold()).isEqualTo(3);
        assertThat(p.heartbeatTimeout()).isEqualTo(Duration.ofMillis(2500));
        assertThat(p.idleTimeout()).isZero();
        assertThat(p.startupTimeout()).isEqualTo(Duration.ofMillis(500));
        assertThat(p.isolate()).isEqualTo("sandbox");
        assertThat(p.isolateArgs()).containsEntry("memory", "64Mi");
        assertThat(Profile.parse("queue-limit: 7\npool-limit: 10\n").growThreshold()).isEqualTo(1);
    }

    @Test
    void everyProblemIsNamed() {
        assertThat(profileProblems("""
                queue-limit: -1
                pool-limit: 0
                concurrency: lots
                heartbeat-timeout: 0
                startup-timeout: soon
                colour: blue
                isolate: {type: vm}
                """)).contains("queue-limit: -1 (expected: 0-10000000)", "pool-limit: 0 (expected: 1-10000)",
                "heartbeat-timeout: must be more than 0",
                "isolate.type: 'vm' is not an isolate (expected: process, sandbox or container)")
                .anyMatch(s -> s.startsWith("concurrency: expected a whole number"))
                .anyMatch(s -> s.startsWith("startup-timeout:"))
                .anyMatch(s -> s.startsWith("colour: unknown field"));
        assertThat(profileProblems("{\"grow-threshold\": 2, \"spawn-threshold\": 2}")).contains("spawn-threshold: give grow-threshold or spawn-threshold, not both");
        assertThat(profileProblems("isolate: {type: container}")).contains("isolate.args.image: the container isolate needs an image");
        assertThat(profileProblems("[1, 2]")).singleElement().asString().contains("must be a map");
    }

    @Test
    void aManifestNamesItsWorkerInsideTheApp() {
        Manifest m = Manifest.parse("{\"slave\": \"./worker.py\", \"environment\": {\"GREETING\": \"hi\"}}");
        assertThat(m.slave()).isEqualTo("./worker.py");
        assertThat(m.environment()).isEqualTo(Map.of("GREETING", "hi"));
        for (String bad : List.of("/usr/bin/python3", "../outside", "./a/../../b", "./")) {
            assertThat(catchThrowableOfType(InvalidSpecException.class, () -> Manifest.parse("{\"slave\": \"" + bad + "\"}")).problems())
                    .as(bad).singleElement().asString().contains("must be a path inside the app");
        }
        assertThat(catchThrowableOfType(InvalidSpecException.class, () -> Manifest.parse("{\"environment\": {\"A\": [1]}}")).problems()
                .stream().map(Problem::toString)).contains("slave: the worker program is required").anyMatch(s -> s.startsWith("environment.A"));
    }

    @Test
    void aManifestMayNameItsWorkerAsWorkerOrAsCocaineDidButNotBoth() {
        assertThat(Manifest.parse("{\"worker\": \"./w\"}").slave()).isEqualTo("./w");
        assertThat(catchThrowableOfType(InvalidSpecException.class, () -> Manifest.parse("{\"worker\": \"../w\"}")).problems())
                .singleElement().asString().startsWith("worker: '../w' must be a path inside the app");
        assertThat(catchThrowableOfType(InvalidSpecException.class, () -> Manifest.parse("{\"worker\": \"./w\", \"slave\": \"./w\"}")).problems())
                .singleElement().asString().isEqualTo("worker: give worker or slave (Cocaine's word for it), not both");
    }

    @Test
    void cocaine011sFieldsAreTakenWithAWarningNeverRefused() {
        Manifest m = Manifest.parse("{\"slave\": \"./w\", \"drivers\": {\"t\": {\"type\": \"time\"}}, \"local\": true}");
        assertThat(m.locatorArg()).isTrue();
        assertThat(m.warnings()).hasSize(2).anyMatch(w -> w.startsWith("drivers: accepted, not used"))
                .anyMatch(w -> w.startsWith("local: accepted, not used"));
        assertThat(Manifest.parse("{\"slave\": \"./w\"}").warnings()).isEmpty();
        assertThat(Manifest.parse("{\"slave\": \"./w\", \"locator-arg\": false}").locatorArg()).isFalse();
        assertThat(catchThrowableOfType(InvalidSpecException.class, () -> Manifest.parse("{\"slave\": \"./w\", \"locator-arg\": \"no\"}"))
                .problems()).anyMatch(p -> p.field().equals("locator-arg"));
        String profile = "{\"pool-limit\": 2, \"crashlog-limit\": 50, \"log-output\": true}";
        assertThat(Profile.parse(profile).poolLimit()).isEqualTo(2);
        assertThat(Profile.warnings(profile)).hasSize(2).anyMatch(w -> w.startsWith("crashlog-limit: accepted, not used"))
                .anyMatch(w -> w.startsWith("log-output: accepted, not used"));
        assertThat(Profile.warnings("{}")).isEmpty();
        assertThat(Profile.warnings("")).isEmpty();
        assertThat(catchThrowableOfType(InvalidSpecException.class, () -> Profile.parse("{\"crash-limit\": 1}")).problems())
                .anyMatch(p -> p.field().equals("crash-limit")); // what is not 0.11's is still refused
    }
}
