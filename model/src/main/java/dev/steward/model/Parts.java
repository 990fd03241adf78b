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
public record Parts(Map<String, Part> parts, String entrypoint, int port, DataPaths paths, Idle idle) {
    public Parts {
        parts = Map.copyOf(parts);
        Objects.requireNonNull(entrypoint, "entrypoint");
        if (!parts.containsKey(entrypoint)) throw new IllegalArgumentException("entrypoint: no part " + entrypoint);
        if (port < 1 || port > 65535) throw new IllegalArgumentException("entrypoint port: " + port + " (expected: 1-65535)");
        Objects.requireNonNull(paths, "paths");
    }

    /** Parts without an idle probe. */
    public Parts(Map<String, Part> parts, String entrypoint, int port, DataPaths paths) {
        this(parts, entrypoint, port, paths, null);
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

    /**
     * One program of a dynamic service. {@code port} is where it listens inside the instance, 0 when not said;
     * {@code restartOnInputs}: it is started again when new inputs are pushed to a running instance; {@code restart}:
     * when it ends while the instance runs it is started again after {@code delay} (doubling up to {@code max-delay}),
     * and {@code failures-limit} ends within {@code window} fail the instance instead. With an {@code image} it runs as
     * a container of that image (its {@code command} then the container's, and may be empty: the image's own), and
     * {@code containerEntrypoint}, when not null, in place of the image's entrypoint (empty: none).
     */
    public record Part(String name, List<String> command, Map<String, String> env, Resources resources, List<String> needs,
                       Ping ping, int port, boolean restartOnInputs, RestartPolicy restart, String image, List<String> containerEntrypoint) {
        public Part {
            Names.require(name);
            command = List.copyOf(command);
            if (command.isEmpty() && image == null) throw new IllegalArgumentException("part " + name + ": the command is empty");
            if (containerEntrypoint != null && image == null) throw new IllegalArgumentException("part " + name + ": only a part with an image has a container-entrypoint");
            if (containerEntrypoint != null) containerEntrypoint = List.copyOf(containerEntrypoint);
            env = Map.copyOf(new LinkedHashMap<>(env));
            Objects.requireNonNull(resources, "resources");
            needs = List.copyOf(needs);
            Objects.requireNonNull(restart, "restart");
        }

        public Part(String name, List<String> command, Map<String, String> env, Resources resources, List<String> needs, Ping ping, int port) {
            this(name, command, env, resources, needs, ping, port, false, RestartPolicy.DEFAULT, null, null);
        }

        /** Whether it runs as a container (it has an image). */
        public boolean container() {
            return image != null;
        }
    }

    /**
     * The data folders, relative to the instance's root (a leading {@code /} is that root): inputs copied in before
     * the parts start, outputs pulled on close, state saved on close (and every {@code stateSave} while open, when
     * not null) and restored at the owner's next open.
     */
    public record DataPaths(String inputs, String outputs, List<String> state, List<String> stateExclude, java.time.Duration stateSave) {
        public static final DataPaths NONE = new DataPaths(null, null, List.of(), List.of());

        public DataPaths {
            state = List.copyOf(state);
            stateExclude = List.copyOf(stateExclude);
            if (stateSave != null && state.isEmpty()) throw new IllegalArgumentException("state-save: there is no state to save");
        }

        public DataPaths(String inputs, String outputs, List<String> state, List<String> stateExclude) {
            this(inputs, outputs, state, stateExclude, null);
        }
    }

    /**
     * An inactivity probe, asked every {@code interval}: an {@code http} GET of a path of the entrypoint or an
     * {@code exec} in the instance, answering how many seconds the instance has been inactive (a number, or
     * JSON {@code {"seconds_inactive": N}}); an instance inactive for {@code timeout} is closed, its state saved.
     */
    public record Idle(Ping.Check check, java.time.Duration timeout, java.time.Duration interval) {
        public static final java.time.Duration DEFAULT_INTERVAL = java.time.Duration.ofSeconds(30);

        public Idle {
            Objects.requireNonNull(check, "check");
            if (check instanceof Ping.Check.Tcp) throw new IllegalArgumentException("idle: a tcp check cannot say how long an instance was idle");
            Objects.requireNonNull(timeout, "timeout");
            Objects.requireNonNull(interval, "interval");
        }
    }
}
