package dev.steward.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FunctionManifestTest {
    @Test
    void aFullManifestIsRead() {
        FunctionManifest m = FunctionManifest.parse("""
                runtime: python
                handler: main.handle
                timeout: 5s
                resources: {memory: 64Mi, pids: 32}
                env: {GREETING: hi}
                calls: {ponger: same-worker, fanned: other-worker}
                """);
        assertThat(m.runtime()).isEqualTo(FunctionRuntime.PYTHON);
        assertThat(m.handlerFile()).isEqualTo("main.py");
        assertThat(m.timeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(m.resources().memoryBytes()).isEqualTo(64L << 20);
        assertThat(m.env()).containsEntry("GREETING", "hi");
        assertThat(m.calls()).containsEntry("ponger", FunctionManifest.CallKind.SAME_WORKER)
                .containsEntry("fanned", FunctionManifest.CallKind.OTHER_WORKER);
    }

    @Test
    void defaultsAndHandlerFilesPerRuntime() {
        FunctionManifest node = FunctionManifest.parse("{\"runtime\": \"node\", \"handler\": \"lib/index.handle\"}");
        assertThat(node.timeout()).isEqualTo(FunctionManifest.DEFAULT_TIMEOUT);
        assertThat(node.handlerFile()).isEqualTo("lib/index.js");
        assertThat(node.calls()).isEmpty();
        assertThat(node.keepWarm()).isEqualTo(Duration.ofMillis(50));
        assertThat(node.idle()).isEqualTo(Duration.ofMinutes(10));
        assertThat(node.queueLimit()).isEqualTo(1_000);
        assertThat(FunctionManifest.parse("runtime: shell\nhandler: ./run.sh").handlerFile()).isEqualTo("run.sh");
        assertThat(FunctionManifest.parse("runtime: python\nhandler: pkg.mod.handle").handlerFile()).isEqualTo("pkg/mod.py");
        assertThat(FunctionManifest.parse("runtime: java\nhandler: com.example.Echo").handlerFile()).isNull();
    }

    @Test
    void thePoolFieldsAreReadAndChecked() {
        FunctionManifest m = FunctionManifest.parse("runtime: python\nhandler: main.handle\nkeep-warm: 0s\nidle: 2s\nqueue-limit: 3");
        assertThat(m.keepWarm()).isZero();
        assertThat(m.idle()).isEqualTo(Duration.ofSeconds(2));
        assertThat(m.queueLimit()).isEqualTo(3);
        assertThatThrownBy(() -> FunctionManifest.parse("runtime: python\nhandler: main.handle\nkeep-warm: warm\nidle: 0s\nqueue-limit: 0"))
                .isInstanceOf(InvalidSpecException.class)
                .satisfies(e -> assertThat(((InvalidSpecException) e).problems()).extracting(Problem::toString)
                        .contains("idle: must be more than 0", "queue-limit: 0 (expected: 1-1000000)")
                        .anyMatch(p -> p.startsWith("keep-warm: ")));
    }

    @Test
    void theSpinOfCallsBesideIsCheckedInTheEnv() {
        assertThat(FunctionManifest.parse("runtime: node\nhandler: index.handle\nenv: {STEWARD_SIDE_SPIN_US: '0'}").env())
                .containsEntry("STEWARD_SIDE_SPIN_US", "0");
        assertThat(FunctionManifest.parse("runtime: python\nhandler: main.handle\nenv: {STEWARD_SIDE_SPIN_US: '1000000'}").env())
                .containsEntry("STEWARD_SIDE_SPIN_US", "1000000");
        for (String bad : java.util.List.of("-1", "1000001", "fast", "1.5", "")) {
            assertThatThrownBy(() -> FunctionManifest.parse("runtime: python\nhandler: main.handle\nenv: {STEWARD_SIDE_SPIN_US: '" + bad + "'}"))
                    .isInstanceOf(InvalidSpecException.class)
                    .satisfies(e -> assertThat(((InvalidSpecException) e).problems()).extracting(Problem::toString)
                            .containsExactly("env.STEWARD_SIDE_SPIN_US: '" + bad + "' (expected: microseconds from 0 to 1000000)"));
        }
    }

    @Test
    void everyProblemIsNamedWithItsField() {
        assertThatThrownBy(() -> FunctionManifest.parse("""
                runtime: ruby
                handler: [main]
                timeout: soon
                colour: blue
                env: {A: {b: c}}
                calls: {Bad_Name: same-worker, ok: sideways}
                """))
                .isInstanceOf(InvalidSpecException.class)
                .satisfies(e -> assertThat(((InvalidSpecException) e).problems()).extracting(Problem::toString).contains(
                        "runtime: 'ruby' is not a runtime (expected: python, node, java or shell)",
                        "handler: expected a string, got a list",
                        "colour: unknown field (expected one of: calls, env, handler, idle, keep-warm, queue-limit, resources, runtime, timeout)",
                        "env.A: expected a string, got a map",
                        "calls.ok: 'sideways' (expected: same-worker or other-worker)")
                        .anyMatch(p -> p.startsWith("timeout: "))
                        .anyMatch(p -> p.startsWith("calls.Bad_Name: ")));
    }

    @Test
    void handlersOfTheWrongShapeAreRefused() {
        assertThatThrownBy(() -> FunctionManifest.parse("runtime: python\nhandler: handle"))
                .hasMessage("handler: 'handle' is not a python handler (expected: a module and a function, like main.handle)");
        assertThatThrownBy(() -> FunctionManifest.parse("runtime: node\nhandler: ../x.handle"))
                .hasMessageContaining("is not a node handler");
        assertThatThrownBy(() -> FunctionManifest.parse("runtime: java\nhandler: com.example.Echo()"))
                .hasMessageContaining("is not a java handler (expected: a class name");
        assertThatThrownBy(() -> FunctionManifest.parse("runtime: shell\nhandler: /etc/passwd"))
                .hasMessageContaining("is not a shell handler (expected: a script inside the function");
        assertThatThrownBy(() -> FunctionManifest.parse("runtime: shell\nhandler: run.sh\ncalls: {b: same-worker}"))
                .hasMessage("calls: a shell function cannot call other functions");
        assertThatThrownBy(() -> FunctionManifest.parse("handler: main.handle")).hasMessageStartingWith("runtime: required");
        assertThatThrownBy(() -> FunctionManifest.parse("")).hasMessage("the spec is empty");
    }

    @Test
    void cyclesAreFoundWithTheirPath() {
        assertThat(CallGraph.cycle(Map.of("a", Set.of("b"), "b", Set.of("c"), "c", Set.of()))).isEmpty();
        assertThat(CallGraph.cycle(Map.of("a", Set.of("b"), "b", Set.of("c"), "c", Set.of("a")))).contains(List.of("a", "b", "c", "a"));
        assertThat(CallGraph.cycle(Map.of("a", Set.of("a")))).contains(List.of("a", "a"));
        assertThat(CallGraph.cycle(Map.of("x", Set.of("y"), "y", Set.of("z"), "z", Set.of("y")))).contains(List.of("y", "z", "y"));
    }
}
