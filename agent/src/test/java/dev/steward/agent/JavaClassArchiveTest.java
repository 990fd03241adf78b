package dev.steward.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The java workers' path on JDKs before 25, taken on this one ({@code -Dsteward.java-cache=cds}): the agent's training
 * run makes a class-data archive rather than an ahead-of-time cache, and the function's workers map it.
 */
class JavaClassArchiveTest extends AgentTestBase {
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void forceTheClassDataArchive() {
        System.setProperty("steward.java-cache", "cds");
    }

    @AfterAll
    static void back() {
        System.clearProperty("steward.java-cache");
    }

    void added(String name, byte[] archive) throws Exception {
        HttpResponse<String> r = http.send(agent.request("/v1/functions/" + name).header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(archive)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    }

    String call(String name) throws Exception {
        HttpResponse<String> r = http.send(agent.request("/v1/functions/" + name + "/invoke").header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofString("")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return r.body();
    }

    JsonNode awaitInfo(String name, String what, Predicate<JsonNode> condition) {
        return agent.awaitFunction(name, what, condition, Duration.ofMinutes(5)); // a training run on a busy machine
    }

    static final String PID = "return Long.toString(ProcessHandle.current().pid()).getBytes();";

    @Test
    void theTrainingRunMakesAClassDataArchiveThatTheWorkersMap() throws Exception {
        added("jfirst", FunctionsTest.javaFunction(tmp, "First", "", PID));
        JsonNode cache = awaitInfo("jfirst", "java's class-data archive is made",
                i -> i.path("java-cache").path("ready").asBoolean() || i.path("java-cache").has("last-error")).path("java-cache");
        assertThat(cache.path("ready").asBoolean()).as(cache.toString()).isTrue();
        assertThat(cache.path("kind").asText()).isEqualTo("cds");
        Path archive = Path.of(cache.path("file").asText());
        assertThat(archive.getParent()).isEqualTo(agent.dataDir.resolve("cache"));
        assertThat(archive.getFileName().toString()).startsWith("function-runner-").endsWith(".jsa");
        assertThat(archive).isRegularFile();
        try (var files = Files.list(archive.getParent())) {
            assertThat(files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".aot"))).as("no ahead-of-time cache is made").isEmpty();
        }

        // the pool's JVM, started again once the archive was made, takes the next function's first call
        awaitInfo("jfirst", "java's pool is filled with a JVM that maps the archive", i -> i.path("pool").asInt() == 1);
        added("jpooled", FunctionsTest.javaFunction(tmp, "Pooled", "", PID));
        String pooled = call("jpooled");
        assertThat(agent.get("/v1/functions/jpooled").path("starts").path("paused").asLong()).as("from the pool").isEqualTo(1);
        assertThat(Files.readString(Path.of("/proc", pooled, "maps"))).as("the pooled JVM maps the archive").contains(archive.toString());

    }
}
