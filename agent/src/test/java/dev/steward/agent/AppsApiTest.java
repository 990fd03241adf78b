package dev.steward.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.Test;

/** Apps, profiles and the runlist through the HTTP API, with good and hostile input. */
class AppsApiTest extends AgentTestBase {
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    /** A .tar.gz of name/content pairs. */
    static byte[] tarGz(Map<String, String> files) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream out = new TarArchiveOutputStream(new GzipCompressorOutputStream(bytes))) {
            for (var f : files.entrySet()) {
                byte[] b = f.getValue().getBytes(StandardCharsets.UTF_8);
                TarArchiveEntry e = new TarArchiveEntry(f.getKey(), true);
                e.setSize(b.length);
                e.setMode(0755);
                out.putArchiveEntry(e);
                out.write(b);
                out.closeArchiveEntry();
            }
        }
        return bytes.toByteArray();
    }

    TestAgent.Res upload(String name, byte[] body) throws Exception {
        HttpResponse<String> r = http.send(agent.request("/v1/apps/" + name)
                .header("Content-Type", "application/octet-stream").PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
        return new TestAgent.Res(r.statusCode(), r.body());
    }

    static final String MANIFEST = "{\"slave\": \"./worker.py\", \"environment\": {\"GREETING\": \"hi\"}}";

    @Test
    void anAppIsUploadedListedAndRemoved() throws Exception {
        TestAgent.Res r = upload("echo", tarGz(Map.of("manifest.json", MANIFEST, "worker.py", "print('hi')\n")));
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        JsonNode app = r.json();
        assertThat(app.path("slave").asText()).isEqualTo("./worker.py");
        assertThat(app.path("environment").path("GREETING").asText()).isEqualTo("hi");
        assertThat(java.nio.file.Files.isRegularFile(java.nio.file.Path.of(app.path("dir").asText(), "worker.py"))).isTrue();
        assertThat(agent.get("/v1/apps").get(0).path("name").asText()).isEqualTo("echo");
        assertThat(agent.get("/v1/apps/echo").path("app").path("name").asText()).isEqualTo("echo");
        agent.ok("DELETE", "/v1/apps/echo", null);
        assertThat(agent.call("GET", "/v1/apps/echo", null).status()).isEqualTo(404);
    }

    @Test
    void badAppsAreRefusedAndNothingIsStored() throws Exception {
        assertThat(upload("a", "not an archive".getBytes()).body()).contains("not a .tar.gz, .tar or .zip");
        assertThat(upload("a", tarGz(Map.of("worker.py", "x"))).body()).contains("no manifest.json at its root");
        assertThat(upload("a", tarGz(Map.of("manifest.json", "{\"slave\": \"../etc/passwd\"}"))).body()).contains("must be a path inside the app");
        assertThat(upload("a", tarGz(Map.of("manifest.json", "{\"slave\": \"./missing\"}"))).body()).contains("is not a file in the app");
        assertThat(upload("a", tarGz(Map.of("manifest.json", "{slave"))).body()).contains("malformed");
        TestAgent.Res slip = upload("a", tarGz(Map.of("manifest.json", MANIFEST, "worker.py", "x", "../../escape", "x")));
        assertThat(slip.status()).isEqualTo(400);
        assertThat(slip.body()).contains("refused");
        assertThat(upload("..", tarGz(Map.of("manifest.json", MANIFEST, "worker.py", "x"))).status()).isIn(400, 404);
        assertThat(agent.get("/v1/apps")).isEmpty();
    }

    @Test
    void profilesAreValidatedAndTheRunlistNeedsBothHalves() throws Exception {
        TestAgent.Res bad = agent.call("PUT", "/v1/profiles/p", "{\"pool-limit\": 0, \"isolate\": {\"type\": \"vm\"}}");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().path("details").toString()).contains("pool-limit: 0", "isolate.type: 'vm' is not an isolate");
        assertThat(agent.get("/v1/profiles")).isEmpty();
        JsonNode p = agent.ok("PUT", "/v1/profiles/p", "{\"pool-limit\": 2, \"heartbeat-timeout\": 5}");
        assertThat(p.path("profile").path("poolLimit").asInt() + p.path("profile").path("pool-limit").asInt()).isEqualTo(2);
        assertThat(agent.call("PUT", "/v1/runlist/echo", "p").status()).isEqualTo(404);
        assertThat(upload("echo", tarGz(Map.of("manifest.json", MANIFEST, "worker.py", "x"))).status()).isEqualTo(201);
        assertThat(agent.call("PUT", "/v1/runlist/echo", "nope").status()).isEqualTo(404);
        assertThat(agent.ok("PUT", "/v1/runlist/echo", "p").path("echo").asText()).isEqualTo("p");
        assertThat(agent.call("DELETE", "/v1/profiles/p", null).status()).isEqualTo(409);
        assertThat(agent.call("DELETE", "/v1/apps/echo", null).status()).isEqualTo(409);
        agent.ok("DELETE", "/v1/runlist/echo", null);
        agent.ok("DELETE", "/v1/profiles/p", null);
        assertThat(agent.get("/v1/runlist").size()).isZero();
    }
}
