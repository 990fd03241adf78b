package dev.steward.agent.engine;

import dev.steward.agent.apps.AppRecord;
import dev.steward.agent.isolate.InstanceHandle;
import dev.steward.agent.isolate.Isolate;
import dev.steward.agent.isolate.SpawnRequest;
import dev.steward.model.Profile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * How one app's workers are started: its slave with {@code --app --endpoint --uuid} (and the same in
 * {@code STEWARD_*}), the manifest's environment, the Python worker library on {@code PYTHONPATH},
 * in the profile's isolate, each with its own log under {@code logs/apps/APP/}.
 */
final class Workers {
    /** Worker logs kept per app; older ones are removed as workers end. */
    static final int LOGS_KEPT = 20;
    private final AppRecord app;
    private final Isolate isolate;
    private final Map<String, String> options;
    private final Path socket;
    private final Path logs;
    private final Path pythonLib;
    private final dev.steward.model.Resources resources;
    /** How often workers should send heartbeats, in seconds: a third of the heartbeat timeout, at most 5 s. */
    private final String heartbeatEvery;
    private final WorkerSource source;
    /** The locator's HOST:PORT, given to workers that take it; null: none. */
    private final String locator;

    /** A worker started for the app: spawned for it, or a paused one thawed and told to be it. */
    Workers(AppRecord app, Profile profile, Isolate isolate, Path socket, Path logs, Path pythonLib, dev.steward.model.Resources resources,
            WorkerSource source, String locator) {
        this.app = app;
        this.locator = locator;
        this.source = source;
        this.resources = resources;
        this.isolate = isolate;
        Map<String, String> o = new HashMap<>();
        profile.isolateArgs().forEach((k, v) -> o.put(k, String.valueOf(v)));
        // a container sees the worker socket and the Python library at the paths the worker is given
        o.merge("binds", socket.getParent() + "," + pythonLib, (a, b) -> a + "," + b);
        this.options = Map.copyOf(o);
        this.socket = socket;
        this.logs = logs;
        this.pythonLib = pythonLib;
        this.heartbeatEvery = Double.toString(Math.min(5.0, profile.heartbeatTimeout().toMillis() / 3000.0));
    }

    Path log(String id) {
        return logs.resolve(id + ".log");
    }

    /**
     * A worker of id {@code id}, from the source when it has one ready, else spawned. {@code starting} is told how the
     * worker starts before it can say hello (a worker from the source is handed over inside the take, and may greet
     * the engine before this returns): PAUSED before the source is asked, COLD again when it had none.
     */
    InstanceHandle spawn(String id, Path log, java.util.function.Consumer<Warmth.Start> starting) throws IOException {
        Path dir = Path.of(app.dir());
        String slave = dir.resolve(app.slave()).normalize().toString();
        List<String> argv = new java.util.ArrayList<>(List.of(slave, "--app", app.name(), "--endpoint", socket.toString(), "--uuid", id));
        if (app.passesLocator() && locator != null) argv.addAll(List.of("--locator", locator)); // as Cocaine 0.11 gave it
        Map<String, String> env = new HashMap<>(app.environment());
        env.put("STEWARD_APP", app.name());
        env.put("STEWARD_ENDPOINT", socket.toString());
        env.put("STEWARD_UUID", id);
        env.put("STEWARD_HEARTBEAT", heartbeatEvery);
        String inherited = app.environment().getOrDefault("PYTHONPATH", System.getenv().getOrDefault("PYTHONPATH", ""));
        env.put("PYTHONPATH", inherited.isEmpty() ? pythonLib.toString() : pythonLib + ":" + inherited);
        ProcessHandle.current().info().command().ifPresent(java -> env.putIfAbsent("STEWARD_JAVA", java));
        Files.createDirectories(logs);
        if (source != WorkerSource.NONE) {
            starting.accept(Warmth.Start.PAUSED);
            java.util.Optional<InstanceHandle> taken = source.take(slave, isolate.type(), resources, env, dir, log);
            if (taken.isPresent()) return taken.get();
            starting.accept(Warmth.Start.COLD);
        }
        return isolate.spawn(new SpawnRequest("app-" + app.name(), id, argv, dir, env, log, resources, options));
    }

    /** The last {@code n} lines of a worker's log. */
    List<String> tail(Path log, int n) {
        try (Stream<String> lines = Files.lines(log, java.nio.charset.StandardCharsets.ISO_8859_1)) {
            java.util.ArrayDeque<String> last = new java.util.ArrayDeque<>(n + 1);
            lines.forEach(l -> {
                last.addLast(l);
                if (last.size() > n) last.removeFirst();
            });
            return List.copyOf(last);
        } catch (IOException | UncheckedIOException e) {
            return List.of();
        }
    }

    /** A worker ended: logs beyond the newest {@link #LOGS_KEPT} go. */
    void prune() {
        try (Stream<Path> all = Files.list(logs)) {
            List<Path> old = all.filter(p -> p.getFileName().toString().contains(".log")) // rotated ones (.log.1) too
                    .sorted(Comparator.comparingLong((Path p) -> p.toFile().lastModified()).reversed())
                    .skip(LOGS_KEPT).toList();
            for (Path p : old) Files.deleteIfExists(p);
        } catch (IOException e) {
            // best effort: logs are kept when they cannot be listed
        }
    }
}
