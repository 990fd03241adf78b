package dev.steward.agent.isolate.cgroup;

import dev.steward.model.Resources;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Where one agent's instances' control groups live: {@code steward/SCOPE/SERVICE/INSTANCE} under each
 * v1 hierarchy (memory, cpu, cpuacct, pids, freezer) or under the v2 unified tree, SCOPE naming the
 * agent so that agents sharing a machine never see each other's groups.
 */
public interface Cgroups {
    String version();

    /** Makes (and removes again) this agent's part of the tree; fails when it cannot be written here. */
    void check() throws IOException;

    Cgroup create(String service, String instance, Resources limits) throws IOException;

    Optional<Cgroup> find(String service, String instance);

    /** Every instance group of this agent's scope that exists, for finding leftovers. */
    List<Cgroup> all();

    /**
     * The cgroups of this machine: v2 when the unified tree has the controllers, else v1 when its
     * hierarchies are mounted (a hybrid machine with an empty v2 tree counts as v1).
     */
    static Optional<Cgroups> detect(Path root, String scope) {
        try {
            Path controllers = root.resolve("cgroup.controllers");
            if (Files.exists(controllers) && Files.readString(controllers).contains("memory")) {
                return Optional.of(new CgroupV2(root, scope));
            }
            if (Files.isDirectory(root.resolve("memory")) && Files.isDirectory(root.resolve("pids"))
                    && Files.isDirectory(root.resolve("freezer")) && Files.isDirectory(root.resolve("cpu"))) {
                return Optional.of(new CgroupV1(root, scope));
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    /** Why cgroups cannot be used here, for error messages. */
    static String unavailableReason(Path root) {
        if (!Files.isDirectory(root)) return root + " is not mounted";
        if (!Files.isWritable(root)) return root + " is not writable (the agent must run as root)";
        return "neither a v2 tree with the memory controller nor v1 memory, cpu, pids and freezer hierarchies under " + root;
    }
}
