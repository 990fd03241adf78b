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
                  img: {image: "not an image"}
                  none: {env: {A: b}}
                entrypoint: web
                paths: {inputs: ../up, other: 1, state-exclude: ["*.tmp"]}
                """)).contains(
                "command: a service with parts gives command per part, or not at all (its instances are opened with 'steward service open')",
                "policy: a service with parts gives policy per part, or not at all (its instances are opened with 'steward service open')",
                "parts.web.command: the command is empty",
                "parts.web.colour: unknown field (expected one of: command, container-entrypoint, env, image, needs, ping, port, resources, restart, restart-on-inputs)",
                "parts.web.port: 70000 (expected: 1-65535)",
                "parts.web.needs[0]: no part 'nosuch' (expected one of: Db_1, img, none, web)",
                "parts.web.needs[1]: a part cannot need itself",
                "parts.img.image: 'not an image' (expected: an image reference such as busybox:1 or registry.example/app:2)",
                "parts.none.command: a command (or an image) is required",
                "entrypoint: 'web' (expected: PART:PORT with a port 1-65535)",
                "paths.inputs: '../up' (expected: a folder of the instance such as /in, without '..')",
                "paths.other: unknown field (expected one of: inputs, outputs, state, state-exclude, state-save)",
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
    void readsTheStateSaveIntervalTheIdleProbeAndRestartOnInputs() {
        Parts p = SpecParser.parse("""
                name: nb
                parts:
                  web: {command: [x], restart-on-inputs: true}
                  aux: {command: [y]}
                entrypoint: web:8080
                paths: {inputs: /in, state: [/work], state-save: 30s}
                idle: {http: /idle, timeout: 10m}
                """, null).spec().parts();
        assertThat(p.paths().stateSave()).isEqualTo(java.time.Duration.ofSeconds(30));
        assertThat(p.idle()).isEqualTo(new Parts.Idle(new Ping.Check.Http("/idle"), java.time.Duration.ofMinutes(10), Parts.Idle.DEFAULT_INTERVAL));
        assertThat(p.parts().get("web").restartOnInputs()).isTrue();
        assertThat(p.parts().get("aux").restartOnInputs()).isFalse();
        Parts e = SpecParser.parse("name: nb\nparts: {web: {command: [x]}}\nentrypoint: web:80\nidle: {exec: [cat, idle], timeout: 1s, interval: 100ms}\n", null)
                .spec().parts();
        assertThat(e.idle()).isEqualTo(new Parts.Idle(new Ping.Check.Exec(List.of("cat", "idle")), java.time.Duration.ofSeconds(1), java.time.Duration.ofMillis(100)));
        assertThat(e.paths().stateSave()).isNull();
    }

    @Test
    void aPartWithAnImageRunsAsAContainerItsCommandOptional() {
        Parts p = SpecParser.parse("""
                name: mixed
                parts:
                  web: {command: [x]}
                  db: {image: "localhost/busybox:1", command: [sh, -c, "httpd -f"], port: 9000}
                  plain: {image: busybox}
                entrypoint: web:8080
                """, null).spec().parts();
        assertThat(p.parts().get("db").container()).isTrue();
        assertThat(p.parts().get("db").image()).isEqualTo("localhost/busybox:1");
        assertThat(p.parts().get("db").command()).containsExactly("sh", "-c", "httpd -f");
        assertThat(p.parts().get("plain").command()).as("the image's own").isEmpty();
        assertThat(p.parts().get("plain").containerEntrypoint()).as("the image's own").isNull();
        assertThat(p.parts().get("web").container()).isFalse();
    }

    @Test
    void aContainerPartsEntrypointReplacesTheImagesAndOnlyAContainerPartHasOne() {
        Parts p = SpecParser.parse("""
                name: entry
                parts:
                  web: {image: busybox, container-entrypoint: [sh, -c], command: ["httpd -f"]}
                  bare: {image: busybox, container-entrypoint: [], command: [httpd, -f]}
                entrypoint: web:8080
                """, null).spec().parts();
        assertThat(p.parts().get("web").containerEntrypoint()).containsExactly("sh", "-c");
        assertThat(p.parts().get("web").command()).containsExactly("httpd -f");
        assertThat(p.parts().get("bare").containerEntrypoint()).as("none: the command alone").isEmpty();
        assertThat(problems("""
                name: entry
                parts:
                  web: {command: [x], container-entrypoint: [sh]}
                  box: {image: busybox, container-entrypoint: sh}
                entrypoint: web:8080
                """)).contains(
                "parts.web.container-entrypoint: only a part with an image has a container entrypoint (its command is the whole command)",
                "parts.box.container-entrypoint: expected a list of strings, got the string 'sh'");
    }

    @Test
    void aPartsRestartSettingsAreItsOwnElseTheSpecsElseTheDefaults() {
        Parts p = SpecParser.parse("""
                name: nb
                restart: {delay: 1s, failures-limit: 3}
                parts:
                  web: {command: [x], restart: {delay: 50ms, max-delay: 200ms, failures-limit: 2, window: 1m}}
                  aux: {command: [y]}
                entrypoint: web:8080
                """, null).spec().parts();
        assertThat(p.parts().get("web").restart()).isEqualTo(new RestartPolicy(java.time.Duration.ofMillis(50), java.time.Duration.ofMillis(200), 2,
                java.time.Duration.ofMinutes(1)));
        assertThat(p.parts().get("aux").restart()).isEqualTo(new RestartPolicy(java.time.Duration.ofSeconds(1), java.time.Duration.ofSeconds(10), 3,
                RestartPolicy.DEFAULT.window()));
        Parts d = SpecParser.parse("name: nb\nparts: {web: {command: [x]}}\nentrypoint: web:80\n", null).spec().parts();
        assertThat(d.parts().get("web").restart()).isEqualTo(RestartPolicy.DEFAULT);
        assertThat(problems("""
                name: nb
                parts:
                  web: {command: [x], restart: {delay: 2s, max-delay: 1s, failures-limit: 0, colour: red}}
                  aux: {command: [y], restart: always}
                entrypoint: web:8080
                """)).containsExactlyInAnyOrder(
                "parts.web.restart.colour: unknown field (expected one of: delay, failures-limit, max-delay, window)",
                "parts.web.restart.failures-limit: 0 (expected: 1-1000000)",
                "parts.web.restart.max-delay: 1s is less than delay 2s",
                "parts.aux.restart: expected a map, got the string 'always'");
    }

    @Test
    void refusesBadStateSaveIdleAndRestartOnInputsByTheirFields() {
        assertThat(problems("""
                name: nb
                parts:
                  web: {command: [x], restart-on-inputs: "yes"}
                  aux: {command: [y], restart-on-inputs: true}
                entrypoint: web:8080
                paths: {state-save: 30s}
                idle: {http: idle, exec: [x], timeout: 500ms, colour: red}
                """)).containsExactlyInAnyOrder(
                "parts.web.restart-on-inputs: expected true or false, got the string 'yes'",
                "parts.aux.restart-on-inputs: there are no inputs to restart on (paths.inputs)",
                "paths.state-save: there is no state to save (paths.state)",
                "idle.colour: unknown field (expected one of: exec, http, interval, timeout)",
                "idle: give one of http (a path of the entrypoint) or exec (a command), which answers the seconds inactive",
                "idle.timeout: '500ms' (expected: 1s or more)");
        assertThat(problems("""
                name: nb
                parts: {web: {command: [x]}}
                entrypoint: web:8080
                paths: {state: [/w], state-save: 10ms}
                idle: {http: idle, interval: 1ms}
                """)).containsExactlyInAnyOrder(
                "paths.state-save: '10ms' (expected: 1s or more)",
                "idle.http: 'idle' (expected: a path starting with /)",
                "idle.timeout: how long an instance may be idle before it is closed is required (e.g. 10m)",
                "idle.interval: '1ms' (expected: 100ms or more)");
        assertThat(problems("name: nb\nparts: {web: {command: [x]}}\nentrypoint: web:8080\nidle: {exec: [], timeout: soon}\n"))
                .containsExactlyInAnyOrder("idle.exec: the command is empty", "idle.timeout: 'soon' is not a duration (expected: a whole number and ms, s, m, h or d, like 100ms, 30s or 30d)");
        assertThat(problems("name: x\ncommand: [y]\nidle: {http: /i, timeout: 1m}\n")).containsExactly("idle: only a service with parts takes idle");
    }

    @Test
    void theLowestStateOfThePartsIsTheInstances() {
        assertThat(DynamicState.lowest(List.of(DynamicState.RUNNING, DynamicState.STARTING, DynamicState.IDLE))).isEqualTo(DynamicState.STARTING);
        assertThat(DynamicState.lowest(List.of(DynamicState.RUNNING, DynamicState.FAILED))).isEqualTo(DynamicState.FAILED);
        assertThat(DynamicState.lowest(List.of())).isEqualTo(DynamicState.PENDING);
    }
}
