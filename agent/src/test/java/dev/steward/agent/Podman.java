package dev.steward.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real Podman serving the Docker Engine API on a socket of its own, for container tests: cgroupfs,
 * runc, ulimits below the hard limits, and a busybox image imported from Debian's busybox-static.
 */
public final class Podman implements AutoCloseable {
    public static final String IMAGE = "localhost/busybox:1";
    private final Path dir;
    private final Process service;
    public final String host;

    private Podman(Path dir) throws Exception {
        this.dir = dir;
        Files.writeString(conf(), """
                [containers]
                default_ulimits = ["nofile=4096:4096", "nproc=4096:4096"]
                [engine]
                cgroup_manager = "cgroupfs"
                runtime = "runc"
                events_logger = "file"
                """);
        if (run("podman", "image", "exists", IMAGE) != 0) importImage();
        Path sock = dir.resolve("podman.sock");
        host = "unix://" + sock;
        ProcessBuilder pb = new ProcessBuilder("podman", "system", "service", "--time=0", host)
                .redirectErrorStream(true).redirectOutput(dir.resolve("podman.log").toFile())
                .directory(dir.toFile()); // its conmons write an "oom" file into their working directory
        pb.environment().put("CONTAINERS_CONF", conf().toString());
        service = pb.start();
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!Files.exists(sock)) {
            if (System.nanoTime() > deadline || !service.isAlive()) throw new IllegalStateException("podman service did not start: " + Files.readString(dir.resolve("podman.log")));
            Thread.sleep(50);
        }
    }

    /** Why podman cannot run here, or null when it can. */
    public static String unavailable() {
        if (!"root".equals(System.getProperty("user.name"))) return "podman tests need root";
        for (String tool : List.of("podman", "runc")) {
            if (!new java.io.File("/usr/bin/" + tool).canExecute() && !new java.io.File("/usr/sbin/" + tool).canExecute()) {
                return tool + " is not installed (apt-get install podman runc busybox-static)";
            }
        }
        if (!new java.io.File("/bin/busybox").canExecute()) return "busybox-static is not installed";
        return null;
    }

    public static Podman start(Path dir) throws Exception {
        Files.createDirectories(dir);
        return new Podman(dir);
    }

    private Path conf() {
        return dir.resolve("containers.conf");
    }

    /**
     * {@link #IMAGE}'s files as an image whose entrypoint is {@code echo the image's entrypoint ran:} (so a command given
     * to it is only echoed), imported once; its name.
     */
    public String imageWithEntrypoint() throws Exception {
        String name = "localhost/busybox-entrypoint:1";
        if (run("podman", "image", "exists", name) == 0) return name;
        Path tar = rootfs();
        if (run("podman", "import", "--change", "ENTRYPOINT [\"/bin/echo\", \"the image's entrypoint ran:\"]", tar.toString(), name) != 0) {
            throw new IllegalStateException("podman import failed: " + Files.readString(dir.resolve("cmd.log")));
        }
        return name;
    }

    /** A root filesystem of busybox and its applets, imported as {@link #IMAGE}. */
    private void importImage() throws Exception {
        Path tar = rootfs();
        if (run("podman", "import", tar.toString(), IMAGE) != 0) throw new IllegalStateException("podman import failed");
    }

    /** A tar of a root filesystem of busybox and its applets (made once). */
    private Path rootfs() throws Exception {
        Path tar = dir.resolve("rootfs.tar");
        if (Files.exists(tar)) return tar;
        Path root = Files.createDirectories(dir.resolve("rootfs"));
        Files.createDirectories(root.resolve("bin"));
        Files.createDirectories(root.resolve("etc"));
        Files.createDirectories(root.resolve("tmp"));
        Files.copy(Path.of("/bin/busybox"), root.resolve("bin/busybox"));
        for (String applet : List.of("sh", "ls", "cat", "echo", "sleep", "id", "ps", "httpd", "wget", "true", "false", "env", "kill", "seq", "head")) {
            Files.createSymbolicLink(root.resolve("bin").resolve(applet), Path.of("busybox"));
        }
        Files.writeString(root.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n");
        if (run("tar", "-C", root.toString(), "-cf", tar.toString(), ".") != 0) throw new IllegalStateException("tar failed");
        return tar;
    }

    public int run(String... cmd) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("cmd.log").toFile());
        pb.environment().putAll(Map.of("CONTAINERS_CONF", conf().toString()));
        Process p = pb.start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    }

    /** Names of the containers that exist, running or not. */
    public String containers() throws IOException, InterruptedException {
        return output("podman", "ps", "-a", "--format", "{{.Names}}");
    }

    /** What {@code podman inspect --format FORMAT NAME} prints, stripped; empty when there is no such container. */
    public String inspect(String name, String format) throws IOException, InterruptedException {
        return output("podman", "inspect", "--type", "container", "--format", format, name).strip();
    }

    /** What {@code cmd} prints on stdout; empty when it fails. */
    private String output(String... cmd) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("CONTAINERS_CONF", conf().toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        return p.waitFor() == 0 ? out : "";
    }

    @Override
    public void close() {
        service.destroy();
        try {
            if (!service.waitFor(10, TimeUnit.SECONDS)) service.destroyForcibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
