package dev.steward.agent.dynamic;

import dev.steward.agent.isolate.Isolate;
import dev.steward.agent.isolate.InstanceHandle;
import dev.steward.agent.isolate.SpawnRequest;
import dev.steward.model.IsolateSpec;
import dev.steward.model.Parts;
import dev.steward.model.Ping;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Runs the parts of one instance inside its namespace: each spawned through an isolate (the sandbox where this
 * node has it: own PID, mount, IPC and UTS namespaces and a cgroup; else a process with a cgroup) with the option
 * {@code network: ns:PATH} (the isolate's helper enters it before it execs the part; {@code nsenter} where there is no
 * helper), found again after an agent restart, pinged from inside the namespace, stopped.
 */
final class PartProcs {
    private final Shared shared;
    private final String service;
    private final String uuid;

    PartProcs(Shared shared, String service, String uuid) {
        this.shared = shared;
        this.service = service;
        this.uuid = uuid;
    }

    /** The isolate process parts run in, by name. */
    String isolateType() {
        return shared.isolates().names().contains("sandbox") ? "sandbox" : "process";
    }

    /** The isolate {@code part} runs in: the container isolate for a part with an image, else {@link #isolateType}. */
    String isolateType(Parts.Part part) {
        return part.container() ? "container" : isolateType();
    }

    /** Makes sure a container part's image is on the node's engine (pulled when it is not). */
    void pull(Parts.Part part) throws IOException {
        containers().ensureImage(part.image());
    }

    private dev.steward.agent.isolate.ContainerIsolate containers() throws IOException {
        if (!(isolate("container") instanceof dev.steward.agent.isolate.ContainerIsolate c)) throw new IOException("no container isolate");
        return c;
    }

    private Isolate isolate(String type) throws IOException {
        try {
            return shared.isolates().of(new IsolateSpec(type, Map.of()));
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    String instanceId(String part) {
        return uuid + "-" + part;
    }

    /**
     * Starts {@code part} in the instance's namespace: a process wrapped in {@code nsenter --net}, or a container of
     * its image joined to the namespace (the instance's folder mounted at its own path, its working directory).
     */
    InstanceHandle spawn(Parts.Part part, Parts parts, Netns.Net net, Path root) throws IOException {
        String type = isolateType(part);
        if (!part.resources().equals(dev.steward.model.Resources.NONE) && type.equals("process")) {
            throw new IOException("part " + part.name() + " has resources, which need the sandbox isolate: "
                    + shared.isolates().unavailable().getOrDefault("sandbox", "unavailable"));
        }
        List<String> argv = part.command();
        Map<String, String> env = new HashMap<>(part.env());
        env.put("STEWARD_SERVICE", service);
        env.put("STEWARD_INSTANCE", uuid);
        env.put("STEWARD_PART", part.name());
        env.put("STEWARD_ROOT", root.toString());
        if (part.port() > 0) env.put("PORT", Integer.toString(part.port()));
        // a process part finds its data folders in the instance's folder; a container part at the spec's paths (/in, /out)
        Parts.DataPaths p = parts.paths();
        java.util.function.Function<String, String> at = f -> part.container() ? "/" + f : root.resolve(f).toString();
        if (p.inputs() != null) env.put("STEWARD_INPUTS", at.apply(p.inputs()));
        if (p.outputs() != null) env.put("STEWARD_OUTPUTS", at.apply(p.outputs()));
        if (!p.state().isEmpty()) env.put("STEWARD_STATE", at.apply(p.state().get(0)));
        // every isolate runs it in the namespace: the sandbox's helper enters it before it execs the part (no nsenter hop)
        Map<String, String> options = new HashMap<>(Map.of("network", "ns:" + net.path()));
        if (part.container()) {
            options.put("image", part.image());
            options.put("volumes", String.join(",", volumes(p, root)));
            if (part.containerEntrypoint() != null) options.put("entrypoint", dev.steward.agent.isolate.ContainerIsolate.words(part.containerEntrypoint()));
        }
        return isolate(type).spawn(new SpawnRequest(service, instanceId(part.name()), argv, root, env,
                shared.log(service, uuid, part.name()), part.resources(), options));
    }

    /** A container part's data folders: each folder of the instance ({@code ROOT/in}) mounted at the spec's path ({@code /in}). */
    static List<String> volumes(Parts.DataPaths p, Path root) {
        List<String> folders = new ArrayList<>();
        if (p.inputs() != null) folders.add(p.inputs());
        if (p.outputs() != null) folders.add(p.outputs());
        folders.addAll(p.state());
        return folders.stream().map(f -> root.resolve(f) + ":/" + f).toList();
    }

    Optional<InstanceHandle> adopt(String type, String part, OpenRecord.Proc proc) {
        try {
            return isolate(type).adopt(service, instanceId(part), proc.pid(), proc.ticks(), shared.log(service, uuid, part));
        } catch (IOException e) {
            return Optional.empty(); // its isolate is gone from this node: the part is not found again
        }
    }

    /** Null when the part's {@code tcp} or {@code http} ping passes, else why not; on a thread already in its namespace. */
    String pingHere(Parts.Part part) {
        Ping ping = part.ping();
        return switch (ping.check()) {
            case Ping.Check.Tcp t -> Probe.tcp("127.0.0.1", part.port(), ping.timeout());
            case Ping.Check.Http h -> {
                StringBuilder why = new StringBuilder();
                int status = Probe.http("127.0.0.1", part.port(), h.path(), ping.timeout(), why);
                yield status >= 200 && status < 400 ? null : status < 0 ? why.toString() : "http " + h.path() + ": status " + status;
            }
            case Ping.Check.Exec e -> throw new IllegalArgumentException("an exec ping runs a command: see ping");
        };
    }

    /** Null when the part's ping passes (from inside the namespace), else why not. */
    String ping(Parts.Part part, Netns.Net net, Path root) {
        Ping ping = part.ping();
        try {
            return switch (ping.check()) {
                case Ping.Check.Tcp t -> Inside.call(net.path(), () -> pingHere(part));
                case Ping.Check.Http h -> Inside.call(net.path(), () -> pingHere(part));
                case Ping.Check.Exec e when part.container() -> containers().exec(service, instanceId(part.name()), e.command(), ping.timeout());
                case Ping.Check.Exec e -> {
                    List<String> argv = new ArrayList<>(List.of("nsenter", "--net=" + net.path(), "--wd=" + root, "--"));
                    argv.addAll(e.command());
                    Cmd.run(argv);
                    yield null;
                }
            };
        } catch (IOException e) {
            return e.getMessage();
        }
    }

    /**
     * The output of {@code argv} run inside the instance: in {@code part}'s container when it is a container part (the
     * engine's exec), else on the machine in the instance's namespace and folder; an IOException says why it failed.
     */
    String exec(Parts.Part part, List<String> argv, Netns.Net net, Path root, Duration timeout) throws IOException {
        if (part.container()) return containers().execOutput(service, instanceId(part.name()), argv, timeout);
        List<String> full = new ArrayList<>(List.of("nsenter", "--net=" + net.path(), "--wd=" + root, "--"));
        full.addAll(argv);
        return Cmd.run(full);
    }

    /** SIGTERM, then SIGKILL when it has not ended within the grace; waits for the end. */
    void stop(InstanceHandle h) {
        if (h.exit().isDone()) return;
        h.terminate();
        try {
            h.exit().get(shared.stopGrace().toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
            h.kill();
            try {
                h.exit().get(5, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception ignored) {
                // killed: its end is seen by the exit watcher
            }
        } catch (InterruptedException e) {
            h.kill();
            Thread.currentThread().interrupt();
        }
    }
}
