package dev.steward.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class PartsSpecTest {
    private static List<String> problems(String text) {
        try {
            SpecParser.parse(text, null);
        } catch (InvalidSpecException e) {
            return e.problems().stream().map(Problem::toString).toList();
        }
        throw new AssertionError("the spec was accepted: " + text);
    }

    @Test
    void readsPartsEntrypointAndPaths() {
        Spec s = SpecParser.parse("""
                name: notebook
                parts:
                  web: {command: [python3, web.py], needs: [db], env: {MODE: x}, ping: {http: /ready}}
                  db: {command: "python3 db.py", port: 9000, ping: {tcp: true}, resources: {memory: 64Mi}}
                entrypoint: web:8080
                paths: {inputs: /in, outputs: out/, state: [/work, cache], state-exclude: ["*.tmp"]}
                """, null).spec();
        assertThat(s.hasParts()).isTrue();
        Parts p = s.parts();
        assertThat(p.entrypoint()).isEqualTo("web");
        assertThat(p.port()).isEqualTo(8080);
        assertThat(p.startOrder()).extracting(Parts.Part::name).containsExactly("db", "web");
        assertThat(p.parts().get("web").port()).isEqualTo(8080);
        assertThat(p.parts().get("web").ping().check()).isEqualTo(new Ping.Check.Http("/ready"));
        assertThat(p.parts().get("db").command()).containsExactly("/bin/sh", "-c", "python3 db.py");
        assertThat(p.parts().get("db").resources().memoryBytes()).isEqualTo(64L << 20);
        assertThat(p.paths()).isEqualTo(new Parts.DataPaths("in", "out", List.of("work", "cache"), List.of("*.tmp")));
        assertThat(s.command()).isEmpty();
    }

    @Test
    void aServiceWithoutPartsHasNone() {
        assertThat(SpecParser.parse("name: a\ncommand: [x]\n", null).spec().parts()).isNull();
    }

    @Test
    void namesEveryProblemWithItsField() {
        assertThat(problems("""
                name: bad
                command: [x]
                policy: permanent
                parts:
                  web: {command: [], needs: [nosuch, web], colour: red, port: 70000}
                  Db_1: {command: [x]}
                  img: {image: "busybox"}
                entrypoint: web
                paths: {inputs: ../up, other: 1, state-exclude: ["*.tmp"]}
                """)).contains(
                "command: a service with parts gives command per part, or not at all (its instances are opened with 'steward service open')",
                "policy: a service with parts gives policy per part, or not at all (its instances are opened with 'steward service open')",
                "parts.web.command: the command is empty",
                "parts.web.colour: unknown field (expected one of: command, env, image, needs, ping, port, resources)",
                "parts.web.port: 70000 (expected: 1-65535)",
                "parts.web.needs[0]: no part 'nosuch' (expected one of: Db_1, img, web)",
                "parts.web.needs[1]: a part cannot need itself",
                "parts.img.image: container parts are not run yet; give a command",
                "parts.img.command: a command is required",
                "entrypoint: 'web' (expected: PART:PORT with a port 1-65535)",
                "paths.inputs: '../up' (expected: a folder of the instance such as /in, without '..')",
                "paths.other: unknown field (expected one of: inputs, outputs, state, state-exclude)",
                "paths.state-exclude: there is no state to exclude from (paths.state)");
        assertThat(problems("name: bad\nparts: {Db_1: {command: [x]}}\nentrypoint: Db_1:80\n"))
                .anyMatch(p -> p.startsWith("parts.Db_1: "));
    }

    @Test
    void refusesACycleOfNeedsAndAMissingEntrypoint() {
        assertThat(problems("""
                name: loop
                parts:
                  a: {command: [x], needs: [b]}
                  b: {command: [x], needs: [a]}
                """)).containsExactly("parts: the parts' needs form a cycle: a -> b -> a",
                "entrypoint: a service with parts needs an entrypoint: PART:PORT");
        assertThat(problems("name: e\nparts: {a: {command: [x]}}\nentrypoint: b:80\n"))
                .containsExactly("entrypoint: no part 'b' (expected one of: a)");
    }

    @Test
    void pingsOfPartsNeedAPortAndNamesTheirFields() {
        assertThat(problems("""
                name: p
                parts:
                  a: {command: [x], ping: {tcp: true}}
                  b: {command: [x], ping: {http: nope}}
                entrypoint: b:80
                """)).containsExactly("parts.a.ping: an http or tcp ping needs the part's port (parts.a.port)",
                "parts.b.ping.http: 'nope' must start with /");
    }

    @Test
    void entrypointAndPathsNeedParts() {
        assertThat(problems("name: x\ncommand: [y]\nentrypoint: a:1\npaths: {inputs: in}\n"))
                .containsExactly("entrypoint: only a service with parts takes entrypoint", "paths: only a service with parts takes paths");
    }

    @Test
    void theLowestStateOfThePartsIsTheInstances() {
        assertThat(DynamicState.lowest(List.of(DynamicState.RUNNING, DynamicState.STARTING, DynamicState.IDLE))).isEqualTo(DynamicState.STARTING);
        assertThat(DynamicState.lowest(List.of(DynamicState.RUNNING, DynamicState.FAILED))).isEqualTo(DynamicState.FAILED);
        assertThat(DynamicState.lowest(List.of())).isEqualTo(DynamicState.PENDING);
    }
}
