package dev.steward.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** What the dynamic services' tests share: the two parts' programs, the spec, requests through the gateway by host, the machine's namespaces. */
final class DynamicRig {
    static final String WEB = """
            import http.server, os, urllib.request
            state = os.environ.get("STEWARD_STATE")
            count = 0
            if state:
                p = os.path.join(state, "count")
                if os.path.exists(p): count = int(open(p).read())
                count += 1
                open(p, "w").write(str(count))
            class H(http.server.BaseHTTPRequestHandler):
                def do_GET(self):
                    helper = urllib.request.urlopen("http://127.0.0.1:9000/", timeout=5).read().decode()
                    i = os.path.join(os.environ.get("STEWARD_INPUTS", "/nonexistent"), "hello.txt")
                    given = open(i).read().strip() if os.path.exists(i) else ""
                    outs = os.environ.get("STEWARD_OUTPUTS")
                    if outs: open(os.path.join(outs, "result.txt"), "w").write("made by " + os.environ["STEWARD_INSTANCE"])
                    body = ("web sees: %s; count=%d; input=%s" % (helper, count, given)).encode()
                    if self.path.startswith("/headers"): body = ("auth=%s cookie=%s" % (self.headers.get("Authorization"), self.headers.get("Cookie"))).encode()
                    self.send_response(200); self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
                def log_message(self, *a): pass
            http.server.ThreadingHTTPServer(("0.0.0.0", int(os.environ["PORT"])), H).serve_forever()
            """;
    static final String HELPER = """
            import http.server
            print("helper listening on 9000", flush=True)
            class H(http.server.BaseHTTPRequestHandler):
                def do_GET(self):
                    body = b"helper here"
                    self.send_response(200); self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
                def log_message(self, *a): pass
            http.server.ThreadingHTTPServer(("127.0.0.1", 9000), H).serve_forever()
            """;

    private DynamicRig() {}

    /** Writes the programs into {@code dir}; the spec of service {@code name} running them, with {@code helperCommand} for the helper when given. */
    static String spec(Path dir, String name, String helperCommand) throws IOException {
        Files.writeString(dir.resolve("web.py"), WEB);
        Files.writeString(dir.resolve("helper.py"), HELPER);
        String helper = helperCommand != null ? helperCommand : "[python3, " + dir.resolve("helper.py") + "]";
        return """
                name: %s
                parts:
                  web: {command: [python3, %s], needs: [helper], env: {PYTHONUNBUFFERED: "1"}}
                  helper: {command: %s, port: 9000, ping: {tcp: true, interval: 50ms}}
                entrypoint: web:8080
                paths: {inputs: /in, outputs: /out, state: [/work]}
                """.formatted(name, dir.resolve("web.py"), helper);
    }

    /** A GET through the gateway at {@code gatewayPort} with {@code host} as the Host and {@code token} (none when null): status and body. */
    static TestAgent.Res get(int gatewayPort, String host, String path, String token) throws IOException {
        return send(gatewayPort, host, path, token == null ? "" : "Authorization: Bearer " + token + "\r\n");
    }

    static TestAgent.Res get(int gatewayPort, String host, String path, String token, boolean asCookie) throws IOException {
        return send(gatewayPort, host, path, "Cookie: theme=dark; steward-token=" + token + "\r\n");
    }

    private static TestAgent.Res send(int gatewayPort, String host, String path, String headers) throws IOException {
        try (Socket s = new Socket("127.0.0.1", gatewayPort)) {
            s.setSoTimeout(30_000);
            s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n" + headers + "Connection: close\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = s.getInputStream();
            String head = RawHttp.readHead(in);
            String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return new TestAgent.Res(Integer.parseInt(head.substring(9, 12)), body);
        }
    }

    /** The network namespaces on the machine named after {@code dataDir}'s scope. */
    static List<String> namespaces(Path dataDir) throws Exception {
        String scope = dev.steward.agent.isolate.NodeScope.of(dataDir).id();
        List<String> out = new ArrayList<>();
        Path run = Path.of("/run/netns");
        if (!Files.isDirectory(run)) return out;
        try (var s = Files.list(run)) {
            s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("steward-" + scope + "-")).forEach(out::add);
        }
        return out;
    }

    /** Whether a veth named for {@code uuid} is on the machine. */
    static boolean veth(String uuid) {
        return Files.exists(Path.of("/sys/class/net", "stw" + uuid.replace("-", "").substring(0, 12)));
    }

    /** Runs {@code argv}; its exit status and output. */
    static TestAgent.Res run(String... argv) throws Exception {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new TestAgent.Res(p.waitFor(), out);
    }

    /** An agent in the test JVM on {@code dataDir} whose events go to {@code events}; the test is skipped where dynamic services cannot run. */
    static TestAgent agent(Path dataDir, List<String> events) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(dev.steward.agent.dynamic.Dynamics.unavailable() == null,
                "this machine cannot run dynamic services: " + dev.steward.agent.dynamic.Dynamics.unavailable());
        TestAgent agent = TestAgent.start(dataDir);
        agent.follow("/v1/events", events);
        return agent;
    }

    /** Stops {@code agent} (when there is one) and removes what the test may have left. */
    static void stop(TestAgent agent, Path dataDir) throws Exception {
        if (agent != null) agent.close();
        cleanUp(dataDir);
    }

    /** The spare namespaces (made ahead of the opens) on the machine named after {@code dataDir}'s scope. */
    static List<String> spares(Path dataDir) throws Exception {
        String scope = dev.steward.agent.isolate.NodeScope.of(dataDir).id();
        Path run = Path.of("/run/netns");
        if (!Files.isDirectory(run)) return List.of();
        try (var s = Files.list(run)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("stwspare-" + scope + "-")).toList();
        }
    }

    /** Removes what a failed test (or a killed agent) may have left: the scope's namespaces and spares, with every process in them. */
    static void cleanUp(Path dataDir) throws Exception {
        if (!Files.exists(dataDir.resolve("node.id"))) return;
        for (String ns : spares(dataDir)) {
            run("ip", "link", "del", "stw" + ns.substring(ns.length() - 36).replace("-", "").substring(0, 12));
            run("ip", "netns", "del", ns);
        }
        for (String ns : namespaces(dataDir)) {
            for (String pid : run("ip", "netns", "pids", ns).body().split("\\s+")) {
                if (!pid.isBlank()) Procs.kill9(Long.parseLong(pid));
            }
            run("ip", "netns", "del", ns);
        }
        Procs.killLeftovers(dataDir, List.of());
    }

    /**
     * The command line of {@code pid} (its arguments joined by NUL), or "" when it ended since it was listed: its
     * /proc folder gone (NoSuchFileException), or the process gone between the open and the read (ESRCH).
     */
    static String cmdline(String pid) {
        try {
            return new String(java.nio.file.Files.readAllBytes(Path.of("/proc", pid, "cmdline")));
        } catch (java.io.IOException gone) {
            return "";
        }
    }

    /** Waits for an event of {@code uuid} among {@code events} after the first {@code after} that contains every one of {@code parts}; returns it. */
    static String awaitEvent(List<String> events, String uuid, int after, String... parts) {
        String[] found = new String[1];
        TestAgent.awaitTrue("an event of " + uuid + " with " + List.of(parts), () -> {
            List<String> now = List.copyOf(events);
            for (int k = after; k < now.size(); k++) {
                String e = now.get(k);
                if (e.contains(uuid) && List.of(parts).stream().allMatch(e::contains)) {
                    found[0] = e;
                    return true;
                }
            }
            return false;
        }, java.time.Duration.ofSeconds(60));
        return found[0];
    }

    static void assertGone(Path dataDir, String uuid) throws Exception {
        TestAgent.awaitTrue("the namespace and veth of " + uuid + " removed", () -> {
            try {
                return namespaces(dataDir).stream().noneMatch(n -> n.endsWith(uuid)) && !veth(uuid);
            } catch (Exception e) {
                return false;
            }
        }, java.time.Duration.ofSeconds(10));
        assertThat(dataDir.resolve("dynamic").resolve(uuid)).doesNotExist();
    }
}
