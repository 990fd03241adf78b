package dev.steward.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ComposeImportTest {
    private static final String COMPOSE = """
            version: "3.8"
            services:
              web:
                image: python:3.12
                command: python3 web.py --port 8080
                environment: {MODE: lab}
                depends_on: [db]
                build: .
                ports: ["8000:8080", "9229"]
                volumes: [./src:/src, /cache]
                restart: always
              db:
                image: postgres:16
                entrypoint: [python3]
                command: [db.py]
                environment: [DB_USER=admin, SECRET]
                mem_limit: 512m
                cpus: "0.5"
                pids_limit: 100
                healthcheck: {test: [CMD-SHELL, "pg_isready -h 127.0.0.1"], interval: 5s, timeout: 2s, retries: 5}
                ports: ["5432"]
                volumes: ["pgdata:/var/lib/postgresql/data/", {type: tmpfs, target: /run}]
            volumes: {pgdata: {driver: local}}
            networks: {back: {}}
            """;

    @Test
    void eachServiceIsAPartAndTheSpecIsValid() {
        ComposeImport.Result r = ComposeImport.translate(COMPOSE, "lab");
        Spec spec = SpecParser.fromTree(r.spec(), null).spec();
        Parts p = spec.parts();
        assertThat(p.entrypoint()).isEqualTo("web");
        assertThat(p.port()).isEqualTo(8080);
        Parts.Part web = p.parts().get("web");
        assertThat(web.image()).as("a service with an image is a container part").isEqualTo("python:3.12");
        assertThat(web.command()).containsExactly("python3", "web.py", "--port", "8080");
        assertThat(web.containerEntrypoint()).as("the image's own entrypoint").isNull();
        assertThat(web.env()).containsEntry("MODE", "lab");
        assertThat(web.needs()).containsExactly("db");
        Parts.Part db = p.parts().get("db");
        assertThat(db.image()).isEqualTo("postgres:16");
        assertThat(db.containerEntrypoint()).as("Compose's entrypoint in place of the image's").containsExactly("python3");
        assertThat(db.command()).containsExactly("db.py");
        assertThat(db.env()).containsExactly(java.util.Map.entry("DB_USER", "admin"));
        assertThat(db.port()).isEqualTo(5432);
        assertThat(db.resources().memoryBytes()).isEqualTo(512L << 20);
        assertThat(db.ping().check()).isEqualTo(new Ping.Check.Exec(List.of("/bin/sh", "-c", "pg_isready -h 127.0.0.1")));
        assertThat(db.ping().interval()).isEqualTo(java.time.Duration.ofSeconds(5));
        assertThat(p.startOrder()).extracting(Parts.Part::name).containsExactly("db", "web");
        assertThat(p.paths().state()).as("the named volume a state folder at its path").containsExactly("var/lib/postgresql/data");
    }

    @Test
    void aServiceWithACommandAndNoImageIsAProcessPart() {
        Parts p = SpecParser.fromTree(ComposeImport.translate("""
                services:
                  web: {entrypoint: python3, command: "-m http.server 8080", ports: [8080]}
                """, "plain").spec(), null).spec().parts();
        assertThat(p.parts().get("web").container()).isFalse();
        assertThat(p.parts().get("web").command()).containsExactly("python3", "-m", "http.server", "8080");
    }

    @Test
    void whatHasNoCounterpartIsListedByItsField() {
        assertThat(ComposeImport.translate(COMPOSE, "lab").untranslated()).containsExactlyInAnyOrder(
                "services.web.volumes[0]: './src:/src': the host's folder is not mounted (an instance's data comes in as paths.inputs, given at open with --inputs DIR)",
                "services.web.volumes[1]: '/cache': an anonymous volume; the container's own filesystem holds it for the instance's life",
                "services.web.restart: a part that ends is restarted with back-off by its own restart: settings; Compose's policies are not translated",
                "services.web.build: images are not built here: the part runs its image, which must be on the node or pullable",
                "services.web.ports[0]: the host's side is not published: an instance is reached through the gateway at its own URL",
                "services.web.ports[1]: only one port per part (the first) is known",
                "services.db.environment: SECRET takes its value from the host's environment, which parts do not see",
                "services.db.healthcheck.retries: a part's ping is tried until the instance's ready-within",
                "services.db.volumes[1]: '{\"type\":\"tmpfs\",\"target\":\"/run\"}': a tmpfs mount has no counterpart",
                "volumes.pgdata: its settings (driver): a named volume is a state folder of the instance, kept by the agent",
                "networks: top-level networks have no counterpart");
    }

    @Test
    void aFileThatIsNotComposeIsRefusedWithEveryProblemNamed() {
        assertThatThrownBy(() -> ComposeImport.translate("""
                services:
                  web:
                    image: busybox
                    comand: [httpd]
                    ports: 8080
                    environment: 3
                    healthcheck: {test: [CMD, "true"], intervall: 1s}
                  db: [postgres]
                  cache:
                servises: {}
                x-notes: {any: thing}
                """, "lab")).isInstanceOf(InvalidSpecException.class)
                .extracting(e -> ((InvalidSpecException) e).problems().stream().map(Problem::toString).toList())
                .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.LIST).containsExactlyInAnyOrder(
                        "servises: not a Compose field (did you mean services?)",
                        "services.web.comand: not a Compose field (did you mean command?)",
                        "services.web.ports: expected a list, got the number 8080",
                        "services.web.environment: expected a map of variables or a list of NAME=VALUE, got the number 3",
                        "services.web.healthcheck.intervall: not a Compose field (did you mean interval?)",
                        "services.db: expected a map, got a list",
                        "services.cache: expected a map (image, command, ...), got nothing");
        assertThatThrownBy(() -> ComposeImport.translate("services:\n  web: {image: [busybox], command: {a: b}, volumes: [3]}\n", "lab"))
                .isInstanceOf(InvalidSpecException.class)
                .hasMessageContaining("services.web.image: expected a string, got a list")
                .hasMessageContaining("services.web.command: expected a string or a list of strings, got a map")
                .hasMessageContaining("services.web.volumes[0]: expected a volume such as data:/var/lib/data");
        assertThatThrownBy(() -> ComposeImport.translate("services:\n  web: {image: busybox\n", "lab"))
                .isInstanceOf(InvalidSpecException.class).hasMessageStartingWith("malformed YAML at line");
        assertThatThrownBy(() -> ComposeImport.translate("- just\n- a list\n", "lab"))
                .isInstanceOf(InvalidSpecException.class).hasMessageContaining("must be a map of fields, got a list");
    }

    @Test
    void badNamesAndPortsAreSaidAndAFileWithoutServicesIsRefused() {
        ComposeImport.Result r = ComposeImport.translate("services:\n  My_App: {image: x, ports: [\"a:b\"]}\n  cmd: {build: .}\n", "lab");
        assertThat(r.untranslated()).contains("services.My_App: renamed to the part my-app (expected: [a-z0-9][a-z0-9-]{0,62})",
                "services.My_App.ports[0]: 'a:b' (expected: [HOST:]CONTAINER, one port)",
                "services.cmd: no image, command or entrypoint; the part needs a command",
                "ports: no service publishes a port; the entrypoint is set to the first part's port 8080");
        assertThatThrownBy(() -> ComposeImport.translate("version: '3'\n", "lab")).isInstanceOf(InvalidSpecException.class)
                .hasMessageContaining("a Compose file has a map of services");
        assertThatThrownBy(() -> ComposeImport.translate("services: {a: {command: x}}\n", "../up")).isInstanceOf(InvalidSpecException.class);
        assertThat(ComposeImport.yaml(ComposeImport.translate("services: {a: {command: [x, \"8080\"], ports: [80]}}\n", "lab").spec()))
                .isEqualTo("name: lab\nparts:\n  a:\n    command:\n    - x\n    - \"8080\"\n    port: 80\nentrypoint: a:80\n");
        assertThat(ComposeImport.size("1gb")).isEqualTo("1Gi");
        assertThat(ComposeImport.size("2048")).isEqualTo("2048");
    }
}
