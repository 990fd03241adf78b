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
                ports: ["8000:8080", "9229"]
                volumes: [./src:/src]
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
            volumes: {data: {}}
            """;

    @Test
    void eachServiceIsAPartAndTheSpecIsValid() {
        ComposeImport.Result r = ComposeImport.translate(COMPOSE, "lab");
        Spec spec = SpecParser.fromTree(r.spec(), null).spec();
        Parts p = spec.parts();
        assertThat(p.entrypoint()).isEqualTo("web");
        assertThat(p.port()).isEqualTo(8080);
        assertThat(p.parts().get("web").command()).containsExactly("python3", "web.py", "--port", "8080");
        assertThat(p.parts().get("web").env()).containsEntry("MODE", "lab");
        assertThat(p.parts().get("web").needs()).containsExactly("db");
        Parts.Part db = p.parts().get("db");
        assertThat(db.command()).containsExactly("python3", "db.py");
        assertThat(db.env()).containsExactly(java.util.Map.entry("DB_USER", "admin"));
        assertThat(db.port()).isEqualTo(5432);
        assertThat(db.resources().memoryBytes()).isEqualTo(512L << 20);
        assertThat(db.ping().check()).isEqualTo(new Ping.Check.Exec(List.of("/bin/sh", "-c", "pg_isready -h 127.0.0.1")));
        assertThat(db.ping().interval()).isEqualTo(java.time.Duration.ofSeconds(5));
        assertThat(p.startOrder()).extracting(Parts.Part::name).containsExactly("db", "web");
    }

    @Test
    void whatHasNoCounterpartIsListedByItsField() {
        assertThat(ComposeImport.translate(COMPOSE, "lab").untranslated()).containsExactlyInAnyOrder(
                "volumes: top-level volumes have no counterpart",
                "services.web.image: not translated yet: the part runs its command as a process (give it image: in the spec to run the image)",
                "services.web.volumes: a part's folders are the instance's own (paths: inputs, outputs, state)",
                "services.web.restart: a part that ends is restarted with back-off by its own restart: settings; Compose's policies are not translated",
                "services.web.ports[0]: the host's side is not published: an instance is reached through the gateway at its own URL",
                "services.web.ports[1]: only one port per part (the first) is known",
                "services.db.image: not translated yet: the part runs its command as a process (give it image: in the spec to run the image)",
                "services.db.environment: SECRET takes its value from the host's environment, which parts do not see",
                "services.db.healthcheck.retries: a part's ping is tried until the instance's ready-within");
    }

    @Test
    void badNamesAndPortsAreSaidAndAFileWithoutServicesIsRefused() {
        ComposeImport.Result r = ComposeImport.translate("services:\n  My_App: {image: x, ports: [\"a:b\"]}\n", "lab");
        assertThat(r.untranslated()).contains("services.My_App: renamed to the part my-app (expected: [a-z0-9][a-z0-9-]{0,62})",
                "services.My_App: no command or entrypoint; the part needs a command (its image's is not known here)",
                "services.My_App.ports[0]: 'a:b' (expected: [HOST:]CONTAINER, one port)",
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
