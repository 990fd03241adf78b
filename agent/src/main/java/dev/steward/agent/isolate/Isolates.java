package dev.steward.agent.isolate;

import dev.steward.agent.isolate.cgroup.Cgroups;
import dev.steward.model.IsolateSpec;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The isolates this node offers, and why the others are not offered. */
public final class Isolates {
    private final Map<String, Isolate> available = new LinkedHashMap<>();
    private final Map<String, String> unavailable = new LinkedHashMap<>();

    public Isolates(ExitWatcher watcher, Path cgroupRoot, String dockerHost, Path binDir) {
        available.put("process", new ProcessIsolate(watcher));
        String why = sandboxProblem(cgroupRoot);
        if (why == null) {
            available.put("sandbox", new SandboxIsolate(watcher, Cgroups.detect(cgroupRoot).orElseThrow(), SandboxIsolate.installHelper(binDir)));
        } else {
            unavailable.put("sandbox", why);
        }
        // Without an engine's socket, the Docker client is never loaded (it costs memory the agent keeps).
        if (dockerHost.startsWith("unix://") && !java.nio.file.Files.exists(Path.of(dockerHost.substring("unix://".length())))) {
            unavailable.put("container", "no container engine socket at " + dockerHost.substring("unix://".length())
                    + " (start Docker, or `podman system service`, or set DOCKER_HOST)");
        } else {
            StringBuilder engine = new StringBuilder();
            ContainerIsolate.connect(dockerHost, watcher, engine).ifPresentOrElse(c -> available.put("container", c),
                    () -> unavailable.put("container", engine.toString()));
        }
    }

    private static String sandboxProblem(Path cgroupRoot) {
        if (!"root".equals(System.getProperty("user.name"))) return "the agent must run as root to make namespaces and cgroups";
        if (Cgroups.detect(cgroupRoot).isEmpty()) return Cgroups.unavailableReason(cgroupRoot);
        for (String tool : List.of("unshare", "setpriv")) {
            if (List.of("/usr/bin/", "/bin/", "/usr/sbin/", "/sbin/").stream().noneMatch(d -> new java.io.File(d + tool).canExecute())) {
                return tool + " (util-linux) is not installed";
            }
        }
        return null;
    }

    /** The isolate for a spec; refused with the reason when this node cannot run it. */
    public Isolate of(IsolateSpec spec) {
        Isolate i = available.get(spec.type());
        if (i == null) {
            throw new IllegalArgumentException("isolate " + spec.type() + " is not available on this node: "
                    + unavailable.getOrDefault(spec.type(), "unknown isolate"));
        }
        return i;
    }

    public Map<String, String> unavailable() {
        return Map.copyOf(unavailable);
    }

    public Set<String> names() {
        return available.keySet();
    }

    /** Exactly the given isolates (tests: a fake one, as a mock driver). */
    public static Isolates of(Isolate... isolates) {
        Isolates all = new Isolates();
        for (Isolate i : isolates) all.available.put(i.type(), i);
        return all;
    }

    private Isolates() {}

    /** Removes leftovers of every isolate except the instances named in {@code keep} ({@code service/instance}). */
    public void cleanup(Set<String> keep) {
        available.values().forEach(i -> i.cleanup(keep));
    }
}
