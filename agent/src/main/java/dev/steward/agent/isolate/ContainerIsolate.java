package dev.steward.agent.isolate;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.Volume;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;
import dev.steward.agent.Json;
import dev.steward.agent.isolate.cgroup.Usage;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

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
    private static final Executor VIRTUAL = task -> Thread.ofVirtual().name("container-ended").start(task);
    private final DockerClient docker;
    /** The calls of every container's life (create, start, inspect, kill, remove, output); the others go through {@link #docker}. */
    private final EngineApi api;
    private final NodeScope scope;
    private final ExitWatcher watcher;
    /** The instances ({@code service/instance}) this agent runs or is starting, which no cleanup removes. */
    private final Set<String> live = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** Images found on the engine, not asked about again (a create that does not find one forgets it). */
    private final Set<String> images = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private ContainerIsolate(DockerClient docker, EngineApi api, NodeScope scope, ExitWatcher watcher) {
        this.docker = docker;
        this.api = api;
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
            return Optional.of(new ContainerIsolate(client, EngineApi.of(host, Duration.ofSeconds(60)), scope, watcher));
        } catch (RuntimeException e) { // IllegalArgumentException too: an address neither unix:// nor tcp://
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

    /** The body of the engine's create call: the command, environment, working directory, labels, mounts, network and limits. */
    static ObjectNode createBody(SpawnRequest r, String image, NodeScope scope) {
        ObjectNode body = Json.object().put("Image", image).put("WorkingDir", r.dir().toString());
        ArrayNode env = body.putArray("Env");
        r.env().forEach((k, v) -> env.add(k + "=" + v));
        if (!r.command().isEmpty()) {
            ArrayNode cmd = body.putArray("Cmd");
            r.command().forEach(cmd::add);
        }
        if (r.options().containsKey("entrypoint")) {
            // the image's entrypoint replaced; an empty one clears it (as Compose's entrypoint: "")
            List<String> entry = words(r.options().get("entrypoint"));
            ArrayNode array = body.putArray("Entrypoint");
            if (entry.isEmpty()) array.add("");
            else entry.forEach(array::add);
        }
        body.putObject("Labels").put(SCOPE, scope.id()).put(SERVICE, r.service()).put(INSTANCE, r.instance());
        ObjectNode host = body.putObject("HostConfig").put("NetworkMode", r.options().getOrDefault("network", "host"));
        ArrayNode binds = host.putArray("Binds");
        for (Bind b : binds(r)) binds.add(b.getPath() + ":" + b.getVolume().getPath());
        ArrayNode ulimits = host.putArray("Ulimits");
        for (String name : List.of("nofile", "nproc")) ulimits.addObject().put("Name", name).put("Soft", 4096L).put("Hard", 4096L);
        if (r.resources().memoryBytes() > 0) host.put("Memory", r.resources().memoryBytes()).put("MemorySwap", r.resources().memoryBytes());
        if (r.resources().cpu() > 0) host.put("NanoCpus", Math.round(r.resources().cpu() * 1e9));
        if (r.resources().pids() > 0) host.put("PidsLimit", (long) r.resources().pids());
        return body;
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
        ObjectNode body = createBody(r, image, scope);
        String path = "/containers/create?name=" + enc(name);
        EngineApi.Answer created = api.call("POST", path, body);
        if (created.status() == 409) {
            // a container of this name is left from an earlier life of the instance: it goes, once
            removeQuietly(name);
            created = api.call("POST", path, body);
        }
        if (created.status() == 404) {
            images.remove(image);
            throw new IOException("image " + image + " is not on this node: " + created.message());
        }
        if (!created.ok()) throw new IOException("container " + name + ": create: " + created.describe());
        String id = created.json().path("Id").asText("");
        if (id.isEmpty()) throw new IOException("container " + name + ": the engine's create answer has no Id");
        try {
            EngineApi.Answer started = api.call("POST", "/containers/" + id + "/start", null);
            if (!started.ok()) throw new IOException("start: " + started.describe());
            JsonNode st = state(id);
            long pid = st.path("Pid").asLong(0);
            String error = st.path("Error").asText("");
            boolean ranAndEnded = pid <= 0 && error.isEmpty() && !st.path("Running").asBoolean(false) && st.path("ExitCode").isNumber();
            if (pid <= 0 && !ranAndEnded) throw new IOException("container " + name + " did not start: " + (error.isEmpty() ? st.path("Status").asText("") : error));
            Files.createDirectories(r.log().getParent());
            copyLogs(id, r.log(), 0);
            // a command that ends at once has ended before its process was seen: its end is reported as any other
            return ranAndEnded ? endedAtOnce(id, key) : handle(id, key, pid, false);
        } catch (IOException | RuntimeException e) {
            removeQuietly(id);
            throw new IOException("container " + name + ": " + e.getMessage(), e);
        }
    }

    /** The container's {@code State} (Pid, Running, ExitCode, OOMKilled, Error), from the engine. */
    private JsonNode state(String idOrName) throws IOException {
        EngineApi.Answer a = api.call("GET", "/containers/" + enc(idOrName) + "/json", null);
        if (!a.ok()) throw new IOException("inspect " + idOrName + ": " + a.describe());
        return a.json().path("State");
    }

    private static String enc(String s) {
        return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8);
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

    /**
     * Appends the container's output (since {@code sinceSeconds}, or all) to the instance's log file as it comes,
     * from a virtual thread that ends with the stream (the container is gone).
     */
    private void copyLogs(String id, java.nio.file.Path log, int sinceSeconds) throws IOException {
        OutputStream out = Files.newOutputStream(log, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        InputStream in;
        try {
            in = api.stream("/containers/" + id + "/logs?stdout=1&stderr=1&follow=1" + (sinceSeconds > 0 ? "&since=" + sinceSeconds : ""));
        } catch (IOException e) {
            out.close();
            throw e;
        }
        Thread.ofVirtual().name("container-output-" + id.substring(0, Math.min(12, id.length()))).start(() -> {
            try (in; out) {
                Frames.copy(in, out);
            } catch (IOException e) {
                // the stream ended with the container, or the log file went away: nothing more to copy
            }
        });
    }

    private InstanceHandle handle(String id, String key, long pid, boolean adopted) {
        long ticks = ProcStat.read(pid).map(ProcStat::startTicks).orElse(0L);
        Optional<java.nio.file.Path> memory = ContainerMemory.groupOf(pid);
        // off the watcher's one thread: asking the engine may take a few tries
        CompletableFuture<ExitStatus> exit = watcher.watch(pid, false).thenApplyAsync(x -> {
            try {
                // the kernel's count first, while the engine has not removed the group yet: an engine may not report it
                boolean killed = memory.map(ContainerMemory::oomKills).orElse(0L) > 0;
                ExitStatus status = ended(id);
                return killed && !(status instanceof ExitStatus.OutOfMemory) ? new ExitStatus.OutOfMemory(status) : status;
            } finally {
                live.remove(key);
            }
        }, VIRTUAL);
        return new ContainerHandle(id, pid, ticks, exit, adopted);
    }

    /** A container that ran and ended before its process was seen (no pid): its end, from the engine. */
    private InstanceHandle endedAtOnce(String id, String key) {
        CompletableFuture<ExitStatus> exit = CompletableFuture.supplyAsync(() -> {
            try {
                return ended(id);
            } finally {
                live.remove(key);
            }
        }, VIRTUAL);
        return new ContainerHandle(id, 0, 0, exit, false);
    }

    /**
     * How a container ended, from the engine, which may learn of the exit a moment after the process is
     * gone: asked again every 20 ms until it knows, for a second at most (its own wait endpoint costs the
     * engine more: Podman's polls the container's state through the runtime); then it is removed.
     */
    private ExitStatus ended(String id) {
        try {
            JsonNode st = null;
            for (int i = 0; i < 50; i++) {
                st = state(id);
                if (!st.path("Running").asBoolean(false)) break;
                Thread.sleep(20);
            }
            ExitStatus status = st == null || !st.path("ExitCode").isNumber() ? new ExitStatus.Unknown()
                    : ExitStatus.ofJdk(st.path("ExitCode").asInt());
            return st != null && st.path("OOMKilled").asBoolean(false) ? new ExitStatus.OutOfMemory(status) : status;
        } catch (IOException | RuntimeException e) {
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
            api.call("DELETE", "/containers/" + enc(idOrName) + "?force=true", null);
        } catch (IOException | RuntimeException ignored) {
            // already gone, or the engine is: nothing to remove it from
        }
    }

    @Override
    public Optional<InstanceHandle> adopt(String service, String instance, long pid, long startTicks, java.nio.file.Path log) {
        try {
            EngineApi.Answer a = api.call("GET", "/containers/" + enc(name(scope, service, instance)) + "/json", null);
            if (!a.ok()) return Optional.empty();
            JsonNode info = a.json();
            JsonNode st = info.path("State");
            if (!st.path("Running").asBoolean(false) || st.path("Pid").asLong(0) != pid || !ProcStat.same(pid, startTicks)) {
                return Optional.empty();
            }
            String id = info.path("Id").asText();
            copyLogs(id, log, (int) (System.currentTimeMillis() / 1000));
            live.add(service + "/" + instance);
            return Optional.of(handle(id, service + "/" + instance, pid, true));
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
            signal("SIGTERM");
        }

        @Override
        public void kill() {
            signal("SIGKILL");
        }

        private void signal(String name) {
            try {
                api.call("POST", "/containers/" + id + "/kill?signal=" + name, null);
            } catch (IOException | RuntimeException ignored) {
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

        /** The engine's one-shot figures (a stats call that waits for no second sample). */
        @Override
        public Usage usage() {
            try {
                EngineApi.Answer a = api.call("GET", "/containers/" + id + "/stats?stream=false&one-shot=true", null);
                if (!a.ok()) return Usage.UNKNOWN;
                JsonNode s = a.json();
                return new Usage(s.path("cpu_stats").path("cpu_usage").path("total_usage").asLong(-1),
                        s.path("memory_stats").path("usage").asLong(-1), s.path("memory_stats").path("max_usage").asLong(-1),
                        s.path("pids_stats").path("current").asLong(-1));
            } catch (IOException | RuntimeException e) {
                return Usage.UNKNOWN;
            }
        }
    }
}
