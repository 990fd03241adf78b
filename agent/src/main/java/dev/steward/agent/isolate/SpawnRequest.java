package dev.steward.agent.isolate;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything an isolate needs to start one instance; the command is already expanded. {@code options}
 * are the isolate's own (for the sandbox: {@code user}, {@code network}; for the container: {@code image}, {@code binds},
 * {@code network}, a Docker network mode such as {@code ns:/run/netns/NAME}). {@code network: ns:PATH} runs the instance
 * in that network namespace in every isolate. A container's command may be empty: its image's.
 */
public record SpawnRequest(String service, String instance, List<String> command, Path dir, Map<String, String> env, Path log,
                           dev.steward.model.Resources resources, Map<String, String> options) {
    public SpawnRequest {
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(instance, "instance");
        command = List.copyOf(command);
        if (command.isEmpty() && (options == null || !options.containsKey("image"))) throw new IllegalArgumentException("command is empty");
        Objects.requireNonNull(dir, "dir");
        env = Map.copyOf(env);
        Objects.requireNonNull(log, "log");
        Objects.requireNonNull(resources, "resources");
        options = Map.copyOf(options);
    }

    /** The network namespace the instance runs in ({@code network: ns:PATH}), or null: the isolate's own choice. */
    public String netns() {
        String n = options.get("network");
        return n != null && n.startsWith("ns:") ? n.substring(3) : null;
    }

    /** {@code command} entered into {@link #netns} by {@code nsenter}, for where no helper enters it; as it is without one. */
    List<String> nsenter(List<String> command) {
        if (netns() == null) return command;
        List<String> a = new java.util.ArrayList<>(List.of("nsenter", "--net=" + netns(), "--"));
        a.addAll(command);
        return a;
    }

    public SpawnRequest(String service, String instance, List<String> command, Path dir, Map<String, String> env, Path log) {
        this(service, instance, command, dir, env, log, dev.steward.model.Resources.NONE, Map.of());
    }
}
