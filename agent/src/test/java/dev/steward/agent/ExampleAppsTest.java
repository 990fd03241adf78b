package dev.steward.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.steward.protocol.Client;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The example apps in examples/apps, one per SDK, uploaded and run under the agent as a user would: with
 * {@code --locator HOST:PORT} among their arguments (as Cocaine 0.11 gave it), and without it (a manifest's
 * {@code "locator-arg": false}, for workers that refuse it).
 */
class ExampleAppsTest extends AgentTestBase {
    static final Path EXAMPLES = Path.of("..", "examples", "apps");

    @ParameterizedTest
    @CsvSource({"echo-python, true", "echo-python, false", "echo-java, true", "echo-java, false"})
    void theExampleAppAnswersEveryEventWithAndWithoutTheLocatorArgument(String example, boolean locatorArg) throws Exception {
        Path dir = EXAMPLES.resolve(example).resolve(example.equals("echo-java") ? "app" : "");
        assertThat(Files.isRegularFile(dir.resolve("manifest.json"))).as(dir + " (the Java example's lib/ is made by its build)").isTrue();
        if (!locatorArg) {
            Path copy = tmp.resolve("apps").resolve(example);
            try (var files = Files.walk(dir)) {
                for (Path p : files.toList()) {
                    Path to = copy.resolve(dir.relativize(p).toString());
                    if (Files.isDirectory(p)) Files.createDirectories(to);
                    else Files.copy(p, to, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
            String manifest = Files.readString(copy.resolve("manifest.json")).strip();
            Files.writeString(copy.resolve("manifest.json"), manifest.substring(0, manifest.lastIndexOf('}')) + ", \"locator-arg\": false}");
            dir = copy;
        }
        TestApps.uploadDir(agent, example, dir);
        assertThat(agent.get("/v1/apps/" + example).path("app").path("locator-arg").asBoolean(true)).isEqualTo(locatorArg);
        TestApps.profile(agent, "default", "{}");
        agent.ok("POST", "/v1/running/" + example, "default");
        String lang = example.substring("echo-".length());
        try (Client c = Client.connect("127.0.0.1", agent.agent().rpcPort(), Duration.ofSeconds(30))) {
            Client.App app = c.app(example);
            assertThat(new String(app.enqueue("echo", "ping".getBytes()).readAll(), StandardCharsets.UTF_8)).isEqualTo("ping");
            assertThat(new String(app.enqueue("greet", "Ada".getBytes()).readAll(), StandardCharsets.UTF_8)).isEqualTo("hello from " + lang + ", Ada\n");
            Client.Stream count = app.enqueue("count", "5".getBytes());
            for (int i = 0; i < 5; i++) assertThat(new String(count.next(), StandardCharsets.UTF_8)).isEqualTo(i + "\n");
            assertThat(count.next()).isNull();
        }
        TestAgent.Res viaHttp = agent.call("POST", "/v1/apps/" + example + "/greet", "", Map.of());
        assertThat(viaHttp.body()).isEqualTo("hello from " + lang + ", world\n");
    }
}
