package dev.steward.model;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What a dynamic service is made of: its parts, the one that receives HTTP ({@code entrypoint: PART:PORT})
 * and the folders its data lives in. Each opened instance runs every part in a network namespace of its own.
 */
public record Parts(Map<String, Part> parts, String entrypoint, int port, DataPaths paths) {
    public Parts {
        parts = Map.copyOf(parts);
        Objects.requireNonNull(entrypoint, "entrypoint");
        if (!parts.containsKey(entrypoint)) throw new IllegalArgumentException("entrypoint: no part " + entrypoint);
        if (port < 1 || port > 65535) throw new IllegalArgumentException("entrypoint port: " + port + " (expected: 1-65535)");
        Objects.requireNonNull(paths, "paths");
    }

    /** The parts, each after every part it needs (names in order where nothing decides); the needs have no cycle. */
    public List<Part> startOrder() {
        Map<String, Part> byName = new java.util.TreeMap<>(parts);
        Set<String> done = new LinkedHashSet<>();
        while (done.size() < byName.size()) {
            int before = done.size();
            byName.values().stream().filter(p -> !done.contains(p.name()) && done.containsAll(p.needs())).findFirst()
                    .ifPresent(p -> done.add(p.name()));
            if (done.size() == before) throw new IllegalStateException("the parts' needs form a cycle");
        }
        List<Part> out = new ArrayList<>();
        done.forEach(n -> out.add(byName.get(n)));
        return out;
    }

    /** One program of a dynamic service. {@code port} is where it listens inside the instance, 0 when not said. */
    public record Part(String name, List<String> command, Map<String, String> env, Resources resources, List<String> needs,
                       Ping ping, int port) {
        public Part {
            Names.require(name);
            command = List.copyOf(command);
            if (command.isEmpty()) throw new IllegalArgumentException("part " + name + ": the command is empty");
            env = Map.copyOf(new LinkedHashMap<>(env));
            Objects.requireNonNull(resources, "resources");
            needs = List.copyOf(needs);
        }
    }

    /**
     * The data folders, relative to the instance's root (a leading {@code /} is that root): inputs copied in before
     * the parts start, outputs pulled on close, state saved on close and restored at the owner's next open.
     */
    public record DataPaths(String inputs, String outputs, List<String> state, List<String> stateExclude) {
        public static final DataPaths NONE = new DataPaths(null, null, List.of(), List.of());

        public DataPaths {
            state = List.copyOf(state);
            stateExclude = List.copyOf(stateExclude);
        }
    }
}
