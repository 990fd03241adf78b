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
        assertThat(app.path("worker").asText()).as("the manifest's slave, under the API's one word").isEqualTo("./worker.py");
        assertThat(app.has("slave")).isFalse();
        assertThat(app.path("environment").path("GREETING").asText()).isEqualTo("hi");
        assertThat(java.nio.file.Files.isRegularFile(java.nio.file.Path.of(app.path("dir").asText(), "worker.py"))).isTrue();
        assertThat(agent.get("/v1/apps").get(0).path("name").asText()).isEqualTo("echo");
        assertThat(agent.get("/v1/apps/echo").path("app").path("name").asText()).isEqualTo("echo");
        assertThat(agent.get("/v1/apps/echo").path("app").path("worker").asText()).isEqualTo("./worker.py");
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
        assertThat(namesIn("spool")).as("refused after unpacking: nothing kept").isEmpty();
        assertThat(namesIn("uploads")).isEmpty();
    }

    @Test
    void profilesAreValidatedAndTheRunlistNeedsBothHalves() throws Exception {
        TestAgent.Res bad = agent.call("PUT", "/v1/profiles/p", "{\"pool-limit\": 0, \"isolate\": {\"type\": \"vm\"}}");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().path("details").toString()).contains("pool-limit: 0", "isolate.type: 'vm' is not an isolate");
        assertThat(agent.get("/v1/profiles")).isEmpty();
        JsonNode p = agent.ok("PUT", "/v1/profiles/p", "{\"pool-limit\": 2, \"heartbeat-timeout\": 5}");
        assertThat(p.path("profile").path("pool-limit").asInt()).isEqualTo(2);
        assertThat(p.path("profile").path("heartbeat-timeout").asText()).as("seconds as uploaded, written as a profile writes them").isEqualTo("5s");
        assertThat(p.path("profile").path("isolate").path("type").asText()).isEqualTo("process");
        assertThat(agent.call("PUT", "/v1/runlist/echo", "p").status()).isEqualTo(404);
        assertThat(upload("echo", tarGz(Map.of("manifest.json", MANIFEST, "worker.py", "x"))).status()).isEqualTo(201);
        assertThat(agent.call("PUT", "/v1/runlist/echo", "nope").status()).isEqualTo(404);
        JsonNode runlist = agent.ok("PUT", "/v1/runlist/echo", "p");
        assertThat(runlist.isArray()).as("the runlist is a list: " + runlist).isTrue();
        assertThat(runlist.get(0).path("app").asText() + " " + runlist.get(0).path("profile").asText()).isEqualTo("echo p");
        assertThat(agent.call("DELETE", "/v1/profiles/p", null).status()).isEqualTo(409);
        assertThat(agent.call("DELETE", "/v1/apps/echo", null).status()).isEqualTo(409);
        agent.ok("DELETE", "/v1/runlist/echo", null);
        agent.ok("DELETE", "/v1/profiles/p", null);
        assertThat(agent.get("/v1/runlist").size()).isZero();
    }

    /** A .tar.gz of {@code entries} as the spool tests build them: any name, any type. */
    static byte[] tarGz(java.util.List<dev.steward.agent.spool.Archives.E> entries) throws IOException {
        java.nio.file.Path p = java.nio.file.Files.createTempFile("hostile-", ".tar.gz");
        try {
            return java.nio.file.Files.readAllBytes(dev.steward.agent.spool.Archives.tar(p, entries));
        } finally {
            java.nio.file.Files.delete(p);
        }
    }

    java.util.List<String> namesIn(String dir) throws IOException {
        java.nio.file.Path d = agent.dataDir.resolve(dir);
        if (!java.nio.file.Files.exists(d)) return java.util.List.of();
        try (var s = java.nio.file.Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).toList();
        }
    }

    /** Waits until the agent's {@code dir} holds {@code n} entries. */
    void awaitEntries(String dir, int n) throws Exception {
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(20).toNanos();
        while (namesIn(dir).size() != n) {
            assertThat(System.nanoTime()).as(dir + " holds " + namesIn(dir)).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    @Test
    void aHostileArchiveIsRefusedAndTheRunningVersionKeepsWorking() throws Exception {
        TestApps.run(agent, "echo", "{}", Map.of());
        String dir = agent.get("/v1/apps/echo").path("app").path("dir").asText();
        // manifest.json reads as a path inside the app until d/x2 and x, unpacked after it, take it up to /etc/passwd
        String climb = "d/x2/" + "x/".repeat(30) + "../".repeat(31) + "etc/passwd";
        TestAgent.Res r = upload("echo", tarGz(java.util.List.of(dev.steward.agent.spool.Archives.E.symlink("manifest.json", climb),
                dev.steward.agent.spool.Archives.E.exec("worker.py", "x"), dev.steward.agent.spool.Archives.E.dir("d"),
                dev.steward.agent.spool.Archives.E.symlink("d/x2", ".."), dev.steward.agent.spool.Archives.E.symlink("x", "."))));
        assertThat(r.status()).as(r.body()).isEqualTo(400);
        assertThat(r.json().path("error").asText()).startsWith("the app's archive is refused: entry 'manifest.json': is a symbolic link to 'd/x2/x/")
                .endsWith("which, with the links unpacked after it, leads outside the archive");
        assertThat(r.body()).doesNotContain("root:").doesNotContain(agent.dataDir.toString());
        TestAgent.Res slip = upload("echo", tarGz(Map.of("manifest.json", MANIFEST, "worker.py", "x", "a/../../../escape", "x")));
        assertThat(slip.json().path("error").asText()).isEqualTo("the app's archive is refused: entry 'a/../../../escape': climbs out of the archive");
        // the version that runs is still the one stored, and still answers
        assertThat(agent.get("/v1/apps/echo").path("app").path("dir").asText()).isEqualTo(dir);
        HttpResponse<String> echo = http.send(agent.request("/v1/apps/echo/echo").header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofString("still here")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(echo.body()).isEqualTo("still here");
        assertThat(namesIn("uploads")).isEmpty();
        assertThat(namesIn("spool")).containsExactly(java.nio.file.Path.of(dir).getFileName().toString());
    }

    @Test
    void uploadsOverTheSpoolingLimitAreToldToRetryLater() throws Exception {
        long half = dev.steward.agent.spool.Limits.DEFAULT.maxSpooling() / 2 - (1 << 20);
        // two uploads that say they are large hold their share from their first byte on
        try (RawHttp a = RawHttp.send(agent, "PUT", "/v1/apps/a", "Content-Length: " + half).body(new byte[] {0x1f, (byte) 0x8b});
             RawHttp b = RawHttp.send(agent, "PUT", "/v1/apps/b", "Content-Length: " + half).body(new byte[] {0x1f, (byte) 0x8b})) {
            awaitEntries("uploads", 2);
            try (RawHttp c = RawHttp.send(agent, "PUT", "/v1/apps/c", "Content-Length: " + (4 << 20))) {
                TestAgent.Res r = c.response();
                assertThat(r.status()).as(r.body()).isEqualTo(503);
                assertThat(c.head().toLowerCase(java.util.Locale.ROOT)).contains("retry-after: 5");
                assertThat(r.json().path("error").asText()).startsWith("the agent is taking ").endsWith("bytes of uploads already (limit: "
                        + dev.steward.agent.spool.Limits.DEFAULT.maxSpooling() + " at once); retry later");
            }
        }
        // the two went away: their files are removed, their share given back
        awaitEntries("uploads", 0);
        assertThat(upload("c", tarGz(Map.of("manifest.json", MANIFEST, "worker.py", "x"))).status()).isEqualTo(201);
    }

    @Test
    void largeUploadsStreamToDiskInASmallHeap() throws Exception {
        java.util.List<Process> started = new java.util.ArrayList<>();
        try {
            RemoteAgent small = RemoteAgent.start(tmp.resolve("small"), java.nio.file.Files.createDirectories(tmp.resolve("logs")), null,
                    java.util.List.of("-Xmx64m"), started);
            // two uploads of 150 MB at once, each streamed as it is made: nothing holds a whole one
            var uploads = java.util.stream.Stream.of("big1", "big2").map(name -> http.sendAsync(HttpRequest.newBuilder(URI.create(small.base + "/v1/apps/" + name))
                    .header("Authorization", "Bearer " + small.token).header("Content-Type", "application/octet-stream").PUT(HttpRequest.BodyPublishers.ofInputStream(() -> bigApp(150_000_000))).build(), HttpResponse.BodyHandlers.ofString())).toList();
            for (var u : uploads) {
                HttpResponse<String> r = u.get(5, java.util.concurrent.TimeUnit.MINUTES);
                assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
            }
            assertThat(small.call("GET", "/v1/apps", null)).hasSize(2);
            assertThat(small.process.isAlive()).isTrue();
        } finally {
            for (Process p : started) p.destroyForcibly().waitFor();
        }
    }

    /** A .tar of an app with a file of {@code size} zero bytes, written as it is read. */
    static java.io.InputStream bigApp(long size) {
        try {
            java.io.PipedInputStream in = new java.io.PipedInputStream(1 << 16);
            java.io.PipedOutputStream pipe = new java.io.PipedOutputStream(in);
            Thread.ofVirtual().start(() -> {
                try (TarArchiveOutputStream out = new TarArchiveOutputStream(pipe)) {
                    for (var f : Map.of("manifest.json", MANIFEST, "worker.py", "x").entrySet()) {
                        byte[] b = f.getValue().getBytes(StandardCharsets.UTF_8);
                        TarArchiveEntry e = new TarArchiveEntry(f.getKey());
                        e.setSize(b.length);
                        out.putArchiveEntry(e);
                        out.write(b);
                        out.closeArchiveEntry();
                    }
                    TarArchiveEntry e = new TarArchiveEntry("big.bin");
                    e.setSize(size);
                    out.putArchiveEntry(e);
                    byte[] zeros = new byte[1 << 16];
                    for (long left = size; left > 0; left -= zeros.length) out.write(zeros, 0, (int) Math.min(zeros.length, left));
                    out.closeArchiveEntry();
                } catch (IOException e) {
                    // the reader went away: the test fails on its answer
                }
            });
            return in;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
