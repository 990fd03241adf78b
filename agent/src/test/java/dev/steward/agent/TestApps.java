package dev.steward.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.Map;

/** Uploading, configuring and starting apps in a test agent; the Python test worker. */
final class TestApps {
    /**
     * A worker on the Python library with an event for each behaviour the tests need. {@code
     * NO_HEARTBEAT} in its environment: one heartbeat, then silence; {@code STARTUP_FAIL}: exits at once.
     */
    static final String WORKER = """
            #!/usr/bin/python3
            import os, socket, sys, time
            from steward_worker import Worker
            print("worker", os.environ["STEWARD_UUID"], "starting", flush=True)
            if os.environ.get("NEVER_CONNECT"):
                time.sleep(3600)
            if os.environ.get("STARTUP_FAIL"):
                print("cannot find my config", file=sys.stderr, flush=True)
                sys.exit(7)
            w = Worker(heartbeat=3600 if os.environ.get("NO_HEARTBEAT") else None)

            @w.on("echo")
            def echo(req, res):
                res.write(req.read_all())

            @w.on("stream")
            def stream(req, res):
                for i in range(int(req.read_all() or b"1000")):
                    res.write(b"%d\\n" % i)

            @w.on("slow")
            def slow(req, res):
                time.sleep(float(req.read_all() or b"1"))
                res.write(b"done")

            @w.on("whoami")
            def whoami(req, res):
                req.read_all()
                res.write(os.environ["STEWARD_UUID"])

            @w.on("pid")
            def pid(req, res):
                req.read_all()
                res.write(str(os.getpid()))

            @w.on("crash")
            def crash(req, res):
                req.read_all()
                res.write(b"going")
                time.sleep(0.1)
                print("crashing on purpose", file=sys.stderr, flush=True)
                os._exit(3)

            @w.on("flood")
            def flood(req, res):
                mib, path = req.read_all().decode().split(" ", 1)
                block = b"x" * 65536
                for i in range(int(mib)):
                    for _ in range(16):
                        res.write(block)
                    with open(path + ".tmp", "w") as f:
                        f.write(str(i + 1))
                    os.replace(path + ".tmp", path)  # how many MiB it has written so far

            @w.on("hangup")
            def hangup(req, res):
                req.read_all()
                res.write(b"going")
                time.sleep(0.1)
                w._sock.shutdown(socket.SHUT_RDWR)  # the agent sees the connection go well before the exit
                time.sleep(1.5)
                os._exit(3)

            @w.on("fail")
            def fail(req, res):
                raise ValueError("bad input")

            @w.on("break")
            def broken(req, res):
                req.read_all()
                w.terminate("my database is gone")

            w.run()
            """;

    private TestApps() {}

    static void upload(TestAgent agent, String name, Map<String, String> env) throws Exception {
        Map<String, String> files = new LinkedHashMap<>();
        StringBuilder e = new StringBuilder();
        env.forEach((k, v) -> e.append(e.isEmpty() ? "" : ", ").append('"').append(k).append("\": \"").append(v).append('"'));
        files.put("manifest.json", "{\"slave\": \"./worker.py\", \"environment\": {" + e + "}}");
        files.put("worker.py", WORKER);
        HttpResponse<String> r = HttpClient.newHttpClient().send(agent.request("/v1/apps/" + name)
                .header("Content-Type", "application/octet-stream").PUT(HttpRequest.BodyPublishers.ofByteArray(AppsApiTest.tarGz(files))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    }

    /** Uploads a directory as it is on disk (executable bits kept), as `steward app upload NAME DIR` does. */
    static void uploadDir(TestAgent agent, String name, java.nio.file.Path dir) throws Exception {
        putArchive(agent, "/v1/apps/" + name, tarGz(dir));
    }

    /** PUTs an archive (an app's or a function's) to {@code path}, expecting 201. */
    static void putArchive(TestAgent agent, String path, byte[] archive) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(agent.request(path)
                .header("Content-Type", "application/octet-stream").PUT(HttpRequest.BodyPublishers.ofByteArray(archive)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    }

    /** A directory's regular files as a .tar.gz (executable bits kept). */
    static byte[] tarGz(java.nio.file.Path dir) throws java.io.IOException {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (var out = new org.apache.commons.compress.archivers.tar.TarArchiveOutputStream(
                new org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream(bytes));
             var files = java.nio.file.Files.walk(dir)) {
            for (java.nio.file.Path p : files.filter(java.nio.file.Files::isRegularFile).toList()) {
                var e = new org.apache.commons.compress.archivers.tar.TarArchiveEntry(p.toFile(), dir.relativize(p).toString());
                e.setMode(java.nio.file.Files.isExecutable(p) ? 0755 : 0644);
                out.putArchiveEntry(e);
                java.nio.file.Files.copy(p, out);
                out.closeArchiveEntry();
            }
        }
        return bytes.toByteArray();
    }

    static void profile(TestAgent agent, String name, String json) {
        agent.ok("PUT", "/v1/profiles/" + name, json);
    }

    /** Uploads the test worker as {@code app}, a profile of the same name, and starts it. */
    static void run(TestAgent agent, String app, String profileJson, Map<String, String> env) throws Exception {
        upload(agent, app, env);
        profile(agent, app, profileJson);
        assertThat(agent.ok("POST", "/v1/running/" + app, app).path("result").asText()).isEqualTo("the app has been started");
    }
}
