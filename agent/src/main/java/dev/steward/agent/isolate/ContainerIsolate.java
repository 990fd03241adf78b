package dev.steward.agent.isolate;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.CreateContainerResponse;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Statistics;
import com.github.dockerjava.api.model.Volume;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;
import dev.steward.agent.isolate.cgroup.Usage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The container isolate, over the Docker Engine API (Docker, or Podman's compatible service): the
 * image checked (or pulled), a container created with the command, environment, limits, ulimits and
 * the working directory mounted, host networking so that {@code PORT} is reachable (or the network its request names, such as an instance's namespace), and a name and
 * labels (with the agent's scope) that let a restarted agent find and adopt it and leave the
 * containers of other agents alone. Its output is copied from the API into the instance's log.
 */
public final class ContainerIsolate implements Isolate {
    static final String SCOPE = "dev.steward.scope";
    static final String SERVICE = "dev.steward.service";
    static final String INSTANCE = "dev.steward.instance";
    private final DockerClient docker;
    private final NodeScope scope;
    private final ExitWatcher watcher;
    /** The instances ({@code service/instance}) this agent runs or is starting, which no cleanup removes. */
    private final Set<String> live = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** Images found on the engine, not asked about again (a create that does not find one forgets it). */
    private final Set<String> images = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private ContainerIsolate(DockerClient docker, NodeScope scope, ExitWatcher watcher) {
        this.docker = docker;
        this.scope = scope;
        this.watcher = watcher;
    }

    /** Connects to {@code host} (unix:///path or tcp://host:port); empty with the reason when no engine answers. */
    public static Optional<ContainerIsolate> connect(String host, NodeScope scope, ExitWatcher watcher, StringBuilder why) {
        try {
            var config = DefaultDockerClientConfig.createDefaultConfigBuilder().withDockerHost(host).withApiVersion("1.41").build();
            var http = new ZerodepDockerHttpClient.Builder().dockerHost(config.getDockerHost())
                    .connectionTimeout(Duration.ofSeconds(2)).responseTimeout(Duration.ofSeconds(60)).build();
            DockerClient client = DockerClientImpl.getInstance(config, http);
            client.pingCmd().exec();
            return Optional.of(new ContainerIsolate(client, scope, watcher));
        } catch (RuntimeException e) {
            why.append("no container engine answers at ").append(host).append(": ").append(e.getMessage());
            return Optional.empty();
        }
    }

    @Override
    public String type() {
        return "container";
    }

    /**
     * The working directory, the host paths named in the {@code binds} option (comma-separated; an app worker's socket
     * directory), each at its own path, and those of the {@code volumes} option ({@code HOST:PATH}, comma-separated; a
     * dynamic instance's data folders at {@code /in}, {@code /out}) at the path after the colon.
     */
    static List<Bind> binds(SpawnRequest r) {
        List<Bind> out = new java.util.ArrayList<>();
        out.add(new Bind(r.dir().toString(), new Volume(r.dir().toString())));
        for (String p : r.options().getOrDefault("binds", "").split(",")) {
            if (!p.isBlank()) out.add(new Bind(p.strip(), new Volume(p.strip())));
        }
        for (String v : r.options().getOrDefault("volumes", "").split(",")) {
            if (v.isBlank()) continue;
            int colon = v.lastIndexOf(':');
            if (colon <= 0 || colon == v.length() - 1) throw new IllegalArgumentException("volumes: '" + v + "' (expected: HOST:PATH)");
            out.add(new Bind(v.substring(0, colon).strip(), new Volume(v.substring(colon + 1).strip())));
        }
        return out;
    }

    /**
     * Runs {@code argv} inside the running container of {@code service}'s {@code instance} (as {@code docker exec}
     * would), within {@code timeout}: null when it exits 0, else why not (its status and the end of its output).
     */
    public String exec(String service, String instance, List<String> argv, Duration timeout) {
        return run(name(scope, service, instance), argv, timeout, new StringBuilder());
    }

    /**
     * Runs {@code argv} inside the running container of {@code service}'s {@code instance} as {@link #exec} does, and
     * answers its output (stdout and stderr, the first 4 KiB); an IOException says why it did not exit 0.
     */
    public String execOutput(String service, String instance, List<String> argv, Duration timeout) throws IOException {
        StringBuilder output = new StringBuilder();
        String failed = run(name(scope, service, instance), argv, timeout, output);
        if (failed != null) throw new IOException(failed);
        return output.toString();
    }

    private String run(String name, List<String> argv, Duration timeout, StringBuilder output) {
        try {
            var created = docker.execCreateCmd(name).withCmd(argv.toArray(String[]::new)).withAttachStdout(true).withAttachStderr(true).exec();
            boolean done = docker.execStartCmd(created.getId()).exec(new ResultCallback.Adapter<Frame>() {
                @Override
                public void onNext(Frame frame) {
                    if (output.length() < 4096) output.append(new String(frame.getPayload(), java.nio.charset.StandardCharsets.UTF_8));
                }
            }).awaitCompletion(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            if (!done) return "exec " + String.join(" ", argv) + " in container " + name + ": no end within " + timeout.toMillis() + "ms";
            Long code = docker.inspectExecCmd(created.getId()).exec().getExitCodeLong();
            if (code != null && code == 0) return null;
            String out = output.toString().strip();
            return "exec " + String.join(" ", argv) + " in container " + name + ": exit status " + code
                    + (out.isEmpty() ? "" : ": " + (out.length() > 200 ? out.substring(out.length() - 200) : out));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "exec in container " + name + ": interrupted";
        } catch (RuntimeException e) {
            return "exec " + String.join(" ", argv) + " in container " + name + ": " + e.getMessage();
        }
    }

    /** A list of words as the {@code entrypoint} option carries it (a JSON array of strings). */
    public static String words(List<String> words) {
        var a = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.arrayNode();
        words.forEach(a::add);
        return a.toString();
    }

    /** The words of an {@code entrypoint} option; a bad one is refused, naming it. */
    static List<String> words(String option) {
        try {
            var node = new com.fasterxml.jackson.databind.ObjectMapper().readTree(option);
            if (node == null || !node.isArray()) throw new IllegalArgumentException("entrypoint: '" + option + "' (expected: a JSON list of strings)");
            List<String> out = new java.util.ArrayList<>();
            node.forEach(w -> out.add(w.asText()));
            return out;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("entrypoint: '" + option + "' (expected: a JSON list of strings)", e);
        }
    }

    /** {@code steward-SCOPE-SERVICE-INSTANCE}. */
    static String name(NodeScope scope, String service, String instance) {
        return "steward-" + scope.id() + "-" + service + "-" + instance;
    }

    @Override
    public InstanceHandle spawn(SpawnRequest r) throws IOException {
        String image = r.options().get("image");
        if (image == null) throw new IOException("the container isolate needs an image");
        ensureImage(image);
        String name = name(scope, r.service(), r.instance());
        String key = r.service() + "/" + r.instance();
        live.add(key);
        try {
            return create(r, image, name, key);
        } catch (IOException | RuntimeException e) {
            live.remove(key);
            throw e;
        }
    }

    private InstanceHandle create(SpawnRequest r, String image, String name, String key) throws IOException {
        HostConfig host = HostConfig.newHostConfig().withNetworkMode(r.options().getOrDefault("network", "host"))
                .withBinds(binds(r))
                .withUlimits(List.of(new com.github.dockerjava.api.model.Ulimit("nofile", 4096L, 4096L),
                        new com.github.dockerjava.api.model.Ulimit("nproc", 4096L, 4096L)));
        if (r.resources().memoryBytes() > 0) host.withMemory(r.resources().memoryBytes()).withMemorySwap(r.resources().memoryBytes());
        if (r.resources().cpu() > 0) host.withNanoCPUs(Math.round(r.resources().cpu() * 1e9));
        if (r.resources().pids() > 0) host.withPidsLimit((long) r.resources().pids());
        var create = docker.createContainerCmd(image).withName(name)
                .withEnv(r.env().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList())
                .withWorkingDir(r.dir().toString())
                .withLabels(Map.of(SCOPE, scope.id(), SERVICE, r.service(), INSTANCE, r.instance()))
                .withHostConfig(host);
        if (!r.command().isEmpty()) create.withCmd(r.command());
        if (r.options().containsKey("entrypoint")) {
            List<String> entry = words(r.options().get("entrypoint"));
            if (entry.isEmpty()) create.withEntrypoint(""); // the image's entrypoint cleared, as Compose's entrypoint: ""
            else create.withEntrypoint(entry);
        }
        CreateContainerResponse created;
        try {
            created = create.exec();
        } catch (ConflictException e) {
            // a container of this name is left from an earlier life of the instance: it goes, once
            removeQuietly(name);
            created = create.exec();
        } catch (NotFoundException e) {
            images.remove(image);
            throw new IOException("image " + image + " is not on this node: " + e.getMessage(), e);
        }
        try {
            docker.startContainerCmd(created.getId()).exec();
            InspectContainerResponse info = docker.inspectContainerCmd(created.getId()).exec();
            long pid = info.getState().getPidLong() == null ? 0 : info.getState().getPidLong();
            if (pid <= 0) throw new IOException("container " + name + " did not start: " + info.getState().getError());
            Files.createDirectories(r.log().getParent());
            copyLogs(created.getId(), r.log(), 0);
            return handle(created.getId(), key, pid, false);
        } catch (RuntimeException e) {
            removeQuietly(created.getId());
            throw new IOException("container " + name + ": " + e.getMessage(), e);
        }
    }

    /** Makes sure {@code image} is on the engine, pulling it when it is not; a failure says why. */
    public void ensureImage(String image) throws IOException {
        if (images.contains(image)) return;
        try {
            docker.inspectImageCmd(image).exec();
            images.add(image);
        } catch (NotFoundException e) {
            try {
                docker.pullImageCmd(image).start().awaitCompletion();
            } catch (RuntimeException | InterruptedException pull) {
                throw new IOException("image " + image + " is not on this node and cannot be pulled: " + pull.getMessage());
            }
        }
    }

    /** Appends the container's output (since {@code sinceSeconds}, or all) to the instance's log file as it comes. */
    private void copyLogs(String id, java.nio.file.Path log, int sinceSeconds) throws IOException {
        OutputStream out = Files.newOutputStream(log, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        var cmd = docker.logContainerCmd(id).withStdOut(true).withStdErr(true).withFollowStream(true);
        if (sinceSeconds > 0) cmd.withSince(sinceSeconds);
        cmd.exec(new ResultCallback.Adapter<Frame>() {
            @Override
            public void onNext(Frame frame) {
                try {
                    out.write(frame.getPayload());
                    out.flush();
                } catch (IOException e) {
                    // the log file went away; nothing to write to
                }
            }

            @Override
            public void close() throws IOException {
                super.close();
                out.close();
            }
        });
    }

    private InstanceHandle handle(String id, String key, long pid, boolean adopted) {
        long ticks = ProcStat.read(pid).map(ProcStat::startTicks).orElse(0L);
        CompletableFuture<ExitStatus> exit = watcher.watch(pid, false).thenApply(x -> {
            try {
                return ended(id);
            } finally {
                live.remove(key);
            }
        });
        return new ContainerHandle(id, pid, ticks, exit, adopted);
    }

    /**
     * How a container ended, from the engine, which may learn of the exit a moment after the process is
     * gone: asked again every 20 ms until it knows, for a second at most (its own wait endpoint costs the
     * engine more: Podman's polls the container's state through the runtime); then it is removed.
     */
    private ExitStatus ended(String id) {
        try {
            InspectContainerResponse.ContainerState st = null;
            for (int i = 0; i < 50; i++) {
                st = docker.inspectContainerCmd(id).exec().getState();
                if (!Boolean.TRUE.equals(st.getRunning())) break;
                Thread.sleep(20);
            }
            ExitStatus status = st == null || st.getExitCodeLong() == null ? new ExitStatus.Unknown()
                    : ExitStatus.ofJdk(st.getExitCodeLong().intValue());
            return st != null && Boolean.TRUE.equals(st.getOOMKilled()) ? new ExitStatus.OutOfMemory(status) : status;
        } catch (RuntimeException e) {
            return new ExitStatus.Unknown();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new ExitStatus.Unknown();
        } finally {
            removeQuietly(id);
        }
    }

    private void removeQuietly(String idOrName) {
        try {
            docker.removeContainerCmd(idOrName).withForce(true).exec();
        } catch (RuntimeException ignored) {
            // already gone
        }
    }

    @Override
    public Optional<InstanceHandle> adopt(String service, String instance, long pid, long startTicks, java.nio.file.Path log) {
        try {
            InspectContainerResponse info = docker.inspectContainerCmd(name(scope, service, instance)).exec();
            Long running = info.getState().getPidLong();
            if (!Boolean.TRUE.equals(info.getState().getRunning()) || running == null || running != pid || !ProcStat.same(pid, startTicks)) {
                return Optional.empty();
            }
            copyLogs(info.getId(), log, (int) (System.currentTimeMillis() / 1000));
            live.add(service + "/" + instance);
            return Optional.of(handle(info.getId(), service + "/" + instance, pid, true));
        } catch (RuntimeException | IOException e) {
            return Optional.empty();
        }
    }

    /** Removes this agent's containers (those with its scope's label) except the instances in {@code keep}. */
    @Override
    public void cleanup(Set<String> keep) {
        List<Container> mine = docker.listContainersCmd().withShowAll(true).withLabelFilter(Map.of(SCOPE, scope.id())).exec();
        for (Container c : mine) {
            String n = c.getLabels().get(SERVICE) + "/" + c.getLabels().get(INSTANCE);
            if (!keep.contains(n) && !live.contains(n)) removeQuietly(c.getId());
        }
    }

    /** A running container. */
    private final class ContainerHandle extends TrackedHandle {
        private final String id;

        ContainerHandle(String id, long pid, long ticks, CompletableFuture<ExitStatus> exit, boolean adopted) {
            super(pid, ticks, exit, adopted);
            this.id = id;
        }

        @Override
        public void terminate() {
            try {
                docker.killContainerCmd(id).withSignal("SIGTERM").exec();
            } catch (RuntimeException ignored) {
                // gone already
            }
        }

        @Override
        public void kill() {
            try {
                docker.killContainerCmd(id).exec();
            } catch (RuntimeException ignored) {
                // gone already
            }
        }

        @Override
        public String pausing() {
            return "the container engine's pause";
        }

        @Override
        public void pause() throws IOException {
            try {
                docker.pauseContainerCmd(id).exec();
            } catch (RuntimeException e) {
                throw new IOException(e.getMessage(), e);
            }
        }

        @Override
        public void resume() throws IOException {
            try {
                docker.unpauseContainerCmd(id).exec();
            } catch (RuntimeException e) {
                throw new IOException(e.getMessage(), e);
            }
        }

        @Override
        public Usage usage() {
            try (var cb = new ResultCallback.Adapter<Statistics>() {
                volatile Statistics stats;

                @Override
                public void onNext(Statistics s) {
                    stats = s;
                    try {
                        close();
                    } catch (IOException ignored) {
                        // closing a finished call
                    }
                }
            }) {
                docker.statsCmd(id).withNoStream(true).exec(cb).awaitCompletion(2, java.util.concurrent.TimeUnit.SECONDS);
                Statistics s = cb.stats;
                if (s == null) return Usage.UNKNOWN;
                long cpu = s.getCpuStats() == null || s.getCpuStats().getCpuUsage() == null ? -1 : s.getCpuStats().getCpuUsage().getTotalUsage();
                long mem = s.getMemoryStats() == null || s.getMemoryStats().getUsage() == null ? -1 : s.getMemoryStats().getUsage();
                long peak = s.getMemoryStats() == null || s.getMemoryStats().getMaxUsage() == null ? -1 : s.getMemoryStats().getMaxUsage();
                long pids = s.getPidsStats() == null || s.getPidsStats().getCurrent() == null ? -1 : s.getPidsStats().getCurrent();
                return new Usage(cpu, mem, peak, pids);
            } catch (IOException | RuntimeException e) {
                return Usage.UNKNOWN;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Usage.UNKNOWN;
            }
        }
    }
}
