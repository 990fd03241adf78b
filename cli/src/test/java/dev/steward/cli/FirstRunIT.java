package dev.steward.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's first run, as a user types it: {@code ./steward agent --dev} (the agent's jar), then
 * {@code ./steward} commands (the CLI's jar) against it; and the CLI's jar run by hand, which runs
 * {@code steward agent} from the agent's jar since the CLI does not depend on the agent.
 */
class FirstRunIT {
    @TempDir Path work;

    static final Path ROOT = Path.of(System.getProperty("steward.root", "..")).toAbsolutePath().normalize();

    /** The launcher, on what Maven has just built (it must not start a build of its own inside this one). */
    static ProcessBuilder steward(String... args) {
        List<String> cmd = new ArrayList<>(List.of(ROOT.resolve("steward").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("STEWARD_NO_BUILD", "1");
        return pb;
    }

    /** The CLI's jar and its libraries, run by hand. */
    static ProcessBuilder java(String... args) {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(), "-cp",
                ROOT.resolve("cli/target/steward-cli.jar") + ":" + ROOT.resolve("cli/target/lib") + "/*", "dev.steward.cli.Main"));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd);
    }

    record Run(int code, String out) {}

    Run run(ProcessBuilder pb) throws Exception {
        Process p = pb.directory(work.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), out);
    }

    Run cli(String... args) throws Exception {
        return run(steward(args));
    }

    static void copy(Path from, Path to) throws Exception {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(t);
                else Files.copy(p, t);
            }
        }
    }

    @Test
    void theDevAgentRunsTheExampleAndTheCliSeesItAvailable() throws Exception {
        copy(ROOT.resolve("examples"), work.resolve("examples"));
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String addr = "http://127.0.0.1:" + port;
        Process agent = steward("agent", "--dev", "--api", "127.0.0.1:" + port, "--gateway", "127.0.0.1:0", "--rpc", "127.0.0.1:0")
                .directory(work.toFile()).redirectError(work.resolve("agent.err").toFile()).start();
        long pid = 0;
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(agent.getInputStream()));
            String line;
            String gateway = null;
            do {
                line = out.readLine();
                assertThat(line).as("agent output ended early; see " + work.resolve("agent.err")).isNotNull();
                if (line.contains("gateway listening on ")) gateway = line.substring(line.indexOf("http://")).split(" ")[0];
            } while (!line.contains("the example answers at"));

            Run start = cli("service", "start", "hello", "--addr", addr);
            assertThat(start.code()).as(start.out()).isZero();
            assertThat(start.out()).contains("hello: available");
            Run query = cli("service", "query", "hello", "--json", "--addr", addr);
            JsonNode v = Json.tree(query.out());
            assertThat(v.path("state").asText()).isEqualTo("available");
            JsonNode i = v.path("instances").get(0);
            pid = i.path("pid").asLong();
            String page = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + i.path("port").asInt() + "/")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertThat(page).contains("Hello!");
            HttpResponse<String> through = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(gateway + "/hello/")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(through.body()).contains("Hello!");
            assertThat(through.headers().firstValue("x-steward-instance")).contains(i.path("id").asText());
            assertThat(cli("status", "--addr", addr).out()).contains("1 services: 1 available");
            assertThat(work.resolve(".steward/steward.db")).exists();
        } finally {
            agent.destroy();
            assertThat(agent.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        long gone = pid;
        assertThat(ProcessHandle.of(gone).map(ProcessHandle::isAlive).orElse(false)).as("dev mode stops instances with the agent").isFalse();
    }

    /** Starts the dev agent in {@code work}, reads its output until the example answers; the output so far. */
    Process devAgent(StringBuilder out, String errFile) throws Exception {
        Process agent = steward("agent", "--dev", "--api", "127.0.0.1:0", "--gateway", "127.0.0.1:0", "--rpc", "127.0.0.1:0")
                .directory(work.toFile()).redirectError(work.resolve(errFile).toFile()).start();
        BufferedReader r = new BufferedReader(new InputStreamReader(agent.getInputStream()));
        String line;
        do {
            line = r.readLine();
            assertThat(line).as("agent output ended early: " + out + Files.readString(work.resolve(errFile))).isNotNull();
            out.append(line).append('\n');
        } while (!line.contains("the example answers at"));
        return agent;
    }

    @Test
    void aDevAgentRestartedAfterAStopOrAKillPrintsNoStackTrace() throws Exception {
        copy(ROOT.resolve("examples"), work.resolve("examples"));
        StringBuilder out = new StringBuilder();
        Process first = devAgent(out, "first.err");
        first.destroy(); // SIGTERM: dev mode stops the example with it
        assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
        Process second = devAgent(out, "second.err");
        second.destroyForcibly().waitFor(); // SIGKILL: the example is left running, to be adopted
        Process third = devAgent(out, "third.err");
        third.destroy();
        assertThat(third.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String all = out + Files.readString(work.resolve("first.err")) + Files.readString(work.resolve("second.err"))
                + Files.readString(work.resolve("third.err"));
        assertThat(all).doesNotContain("\tat ").doesNotContain("Exception");
    }

    @Test
    void aDevAgentStartedOutsideTheCheckoutRunsStewardsOwnExample() throws Exception {
        // an empty directory: no examples/ here, so dev mode takes those that came with Steward
        StringBuilder out = new StringBuilder();
        Process agent = devAgent(out, "agent.err");
        try {
            String gateway = out.toString().lines().filter(l -> l.contains("the example answers at"))
                    .map(l -> l.substring(l.indexOf("http://"))).findFirst().orElseThrow();
            HttpResponse<String> r = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline && (r == null || r.statusCode() != 200)) {
                r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(gateway)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() != 200) Thread.sleep(100); // polling until available
            }
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(r.body()).contains("Hello!");
            assertThat(work.resolve(".steward/steward.db")).as("dev data stays in the directory it was started in").exists();
        } finally {
            agent.destroy();
            assertThat(agent.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void theCliJarAloneRunsTheAgentFromTheAgentsJar() throws Exception {
        try (Stream<Path> lib = Files.list(ROOT.resolve("cli/target/lib"))) {
            assertThat(lib.map(p -> p.getFileName().toString()))
                    .as("the CLI's runtime classpath").isNotEmpty().noneMatch(n -> n.startsWith("steward-agent") || n.startsWith("armeria"));
        }
        Run help = run(java("agent", "--help"));
        assertThat(help.code()).as(help.out()).isZero();
        assertThat(help.out()).contains("Usage: steward agent ", "--dev", "--stop-grace=DURATION");
        Run bad = run(java("agent", "--api", "nonsense"));
        assertThat(bad.code()).as(bad.out()).isEqualTo(2);
        assertThat(bad.out()).contains("steward: --api: 'nonsense' (expected: HOST:PORT)");
        Run unknown = run(steward("agent", "--bogus"));
        assertThat(unknown.code()).isEqualTo(2);
        assertThat(unknown.out()).contains("steward: Unknown option: '--bogus'", "Usage: steward agent ");
        try (ServerSocket busy = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Run taken = run(java("agent", "--data-dir", work.resolve("data").toString(), "--api", "127.0.0.1:" + busy.getLocalPort(),
                    "--gateway", "127.0.0.1:0", "--rpc", "127.0.0.1:0"));
            assertThat(taken.code()).as(taken.out()).isEqualTo(1);
            assertThat(taken.out()).contains("steward: cannot start the agent");
        }
        assertThat(run(java("--version")).out()).isEqualTo(dev.steward.model.Version.line() + "\n");
    }
}
