package dev.steward.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The distribution archive, unpacked and run as an operator would: {@code bin/steward} from anywhere. */
class DistIT {
    @TempDir static Path unpacked;
    static Path home;

    @BeforeAll
    static void unpack() throws Exception {
        Path archive = Path.of(System.getProperty("steward.dist"));
        assertThat(archive).exists();
        Process tar = new ProcessBuilder("tar", "-xzf", archive.toString(), "-C", unpacked.toString()).redirectErrorStream(true).start();
        String said = new String(tar.getInputStream().readAllBytes());
        assertThat(tar.waitFor()).as(said).isZero();
        try (Stream<Path> top = Files.list(unpacked)) {
            home = top.filter(p -> p.getFileName().toString().startsWith("steward-")).findFirst().orElseThrow();
        }
    }

    @Test
    void theArchiveHasTheLauncherJarsUnitCompletionAndExamples() throws Exception {
        assertThat(home.resolve("bin/steward")).isExecutable();
        assertThat(home.resolve("INSTALL.md")).content().contains("systemctl enable --now steward");
        assertThat(home.resolve("examples/hello.yaml")).exists();
        assertThat(home.resolve("examples/hello/www/index.html")).exists();
        assertThat(home.resolve("completion/steward.bash")).content().contains("complete ").contains("steward");
        assertThat(home.resolve("completion/_steward")).content().contains("compdef");
        String unit = Files.readString(home.resolve("systemd/steward.service"));
        assertThat(unit).contains("ExecStart=/opt/steward/bin/steward agent --data-dir /var/lib/steward", "KillMode=process",
                "StandardError=journal", "[Install]", "WantedBy=multi-user.target");
        try (Stream<Path> jars = Files.list(home.resolve("lib/agent"))) {
            assertThat(jars.map(p -> p.getFileName().toString())).anyMatch(n -> n.equals("steward-agent.jar"))
                    .anyMatch(n -> n.startsWith("netty-transport-native-epoll-") && n.endsWith("-linux-x86_64.jar"));
        }
        try (Stream<Path> jars = Files.list(home.resolve("lib/cli"))) {
            assertThat(jars.map(p -> p.getFileName().toString())).anyMatch(n -> n.equals("steward-cli.jar")).anyMatch(n -> n.startsWith("steward-picocli-"))
                    .noneMatch(n -> n.startsWith("steward-agent") || n.startsWith("armeria"));
        }
    }

    @Test
    void noJarCarriesAnotherPlatformsNativeLibraries() throws Exception {
        Pattern foreignJar = Pattern.compile("-(osx|windows|linux-aarch_64)-|kqueue|macos");
        Pattern foreign = Pattern.compile("(?i)(osx|darwin|macos|windows|win32-|/Mac/|aarch_?64|FreeBSD|Android|Musl|sunos|aix|/arm|-arm|ppc|s390|riscv|mips|loongarch)");
        List<String> found = new ArrayList<>();
        List<Path> jars;
        try (Stream<Path> s = Files.walk(home.resolve("lib"))) {
            jars = s.filter(p -> p.toString().endsWith(".jar")).toList();
        }
        for (Path jar : jars) {
            if (foreignJar.matcher(jar.getFileName().toString()).find()) found.add(jar.getFileName().toString());
            try (ZipFile z = new ZipFile(jar.toFile())) {
                z.stream().map(e -> e.getName())
                        .filter(n -> n.endsWith(".so") || n.endsWith(".dylib") || n.endsWith(".dll") || n.endsWith(".jnilib") || n.endsWith(".a"))
                        .filter(n -> foreign.matcher(n).find())
                        .forEach(n -> found.add(jar.getFileName() + "!" + n));
            }
        }
        assertThat(found).as("other platforms' natives").isEmpty();
        assertThat(jars).as("the SQLite driver, JNA and their Linux x86-64 natives").anySatisfy(j -> {
            try (ZipFile z = new ZipFile(j.toFile())) {
                assertThat(z.getEntry("org/sqlite/native/Linux/x86_64/libsqlitejdbc.so")).isNotNull();
                assertThat(z.getEntry("com/sun/jna/linux-x86-64/libjnidispatch.so")).isNotNull();
            }
        });
    }

    @Test
    void theInstalledLauncherRunsTheCliAndADevAgentFromAnotherDirectory(@TempDir Path work) throws Exception {
        // a link elsewhere, as /usr/local/bin/steward would be
        Path link = Files.createSymbolicLink(work.resolve("steward"), home.resolve("bin/steward"));
        Process v = steward(link, work, "--version").redirectErrorStream(true).start();
        String version = new String(v.getInputStream().readAllBytes());
        assertThat(v.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(v.exitValue()).as(version).isZero();
        assertThat(version).contains("steward ");

        Process agent = steward(link, work, "agent", "--dev", "--api", "127.0.0.1:0", "--gateway", "127.0.0.1:0", "--rpc", "127.0.0.1:0")
                .redirectError(work.resolve("agent.err").toFile()).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(agent.getInputStream()));
            String api = null;
            String example = null;
            String line;
            while (example == null && (line = out.readLine()) != null) {
                if (line.contains("api listening on ")) api = line.substring(line.indexOf("http://")).split(" ")[0];
                if (line.contains("the example answers at ")) example = line.substring(line.indexOf("http://")).trim();
            }
            assertThat(example).as("the agent's output; its stderr: " + work.resolve("agent.err")).isNotNull();
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> r = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline && (r == null || r.statusCode() != 200)) {
                r = http.send(HttpRequest.newBuilder(URI.create(example)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() != 200) Thread.sleep(100); // polling until the example is available
            }
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(r.body()).contains("Hello!");
            Process status = steward(link, work, "status", "--addr", api).redirectErrorStream(true).start();
            String said = new String(status.getInputStream().readAllBytes());
            assertThat(status.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(status.exitValue()).as(said).isZero();
            assertThat(said).contains("1 services: 1 available");
        } finally {
            agent.destroy();
            assertThat(agent.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
    }

    private static ProcessBuilder steward(Path launcher, Path dir, String... args) {
        List<String> cmd = new ArrayList<>(List.of(launcher.toString()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).directory(dir.toFile());
    }
}
