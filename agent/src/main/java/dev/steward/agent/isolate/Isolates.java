package dev.steward.agent.isolate;

import dev.steward.agent.isolate.cgroup.Cgroups;
import dev.steward.model.IsolateSpec;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The isolates this node offers, and why the others are not offered. Everything they make on the
 * machine (cgroups, containers) is named after the agent's {@link NodeScope}; where cgroups can be
 * made, process instances are tracked in one each, as sandboxes are.
 */
public final class Isolates {
    private final Map<String, Isolate> available = new LinkedHashMap<>();
    private final Map<String, String> unavailable = new LinkedHashMap<>();
    /** Null where cgroups cannot be used. */
    private final InstanceCgroups cgroups;
    private final ExitWatcher watcher;

    public Isolates(NodeScope scope, ExitWatcher watcher, Path cgroupRoot, String dockerHost, Path binDir) {
        this.watcher = watcher;
        String noCgroups = cgroupProblem(cgroupRoot, scope);
        cgroups = noCgroups == null ? new InstanceCgroups(Cgroups.detect(cgroupRoot, scope.id()).orElseThrow()) : null;
        if (cgroups != null && !"false".equals(System.getProperty("steward.cgroup.fast-join"))) {
            String said = dev.steward.agent.isolate.cgroup.FastJoin.ensure();
            if (!said.startsWith("cgroup moves are fast")) System.err.println("steward: " + said); // the first agent of the machine says it
        }
        Path helper = cgroups == null ? null : SandboxIsolate.installHelper(binDir);
        available.put("process", new ProcessIsolate(watcher, cgroups, helper));
        String why = noCgroups != null ? noCgroups : toolsProblem();
        if (why == null) {
            available.put("sandbox", new SandboxIsolate(watcher, cgroups, helper));
        } else {
            unavailable.put("sandbox", why);
        }
        // Without an engine's socket, the Docker client is never loaded (it costs memory the agent keeps).
        if (dockerHost.startsWith("unix://") && !java.nio.file.Files.exists(Path.of(dockerHost.substring("unix://".length())))) {
            unavailable.put("container", "no container engine socket at " + dockerHost.substring("unix://".length())
                    + " (start Docker, or `podman system service`, or set DOCKER_HOST)");
        } else {
            StringBuilder engine = new StringBuilder();
            ContainerIsolate.connect(dockerHost, scope, watcher, engine).ifPresentOrElse(c -> available.put("container", c),
                    () -> unavailable.put("container", engine.toString()));
        }
    }

    /**
     * Runs the native calls of a process instance's spawn and of its exit's watch once, spawning nothing, so that the
     * agent's first start on demand does not pay their first use (see {@link Spawner#warmUp}); for the agent's start,
     * off any request's path.
     */
    public void warmUp() {
        if (watcher == null) return; // a test's own isolates
        Spawner.warmUp();
        watcher.warmUp();
    }

    /** Why this agent cannot make cgroups of its own here, or null when it can. */
    private static String cgroupProblem(Path cgroupRoot, NodeScope scope) {
        if (!"root".equals(System.getProperty("user.name"))) return "the agent must run as root to make namespaces and cgroups";
        var found = Cgroups.detect(cgroupRoot, scope.id());
        if (found.isEmpty()) return Cgroups.unavailableReason(cgroupRoot);
        try {
            found.get().check();
            return null;
        } catch (java.io.IOException e) {
            String why = "cannot make cgroups under " + cgroupRoot + ": " + e.getMessage();
            System.err.println("steward: " + why + "; process instances are tracked by their process group only");
            return why;
        }
    }

    private static String toolsProblem() {
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

    private Isolates() {
        cgroups = null;
        watcher = null;
    }

    /**
     * Removes this agent's leftovers (cgroups and containers of its scope, never another agent's) except
     * the instances named in {@code keep} ({@code service/instance}) and those it runs already.
     */
    public void cleanup(Set<String> keep) {
        if (cgroups != null) cgroups.cleanup(keep);
        available.values().forEach(i -> i.cleanup(keep));
    }
}
