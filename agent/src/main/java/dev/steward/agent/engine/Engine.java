package dev.steward.agent.engine;

import dev.steward.agent.apps.AppRecord;
import dev.steward.agent.apps.AppStore;
import dev.steward.agent.isolate.Isolate;
import dev.steward.agent.isolate.Isolates;
import dev.steward.agent.rpc.Rpc;
import dev.steward.agent.store.Store;
import dev.steward.agent.errors.ConflictException;
import dev.steward.agent.errors.NotFoundException;
import dev.steward.model.IsolateSpec;
import dev.steward.model.Profile;
import io.netty.channel.EventLoop;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The apps that run on this node: starting one binds its worker socket and publishes its service,
 * pausing one stops its workers and withdraws both. Which apps run is kept in the store, so an agent
 * that comes back starts them again, as it starts the runlist.
 */
public final class Engine implements AutoCloseable {
    private static final String RUNNING = "engine/running/";
    private final AppStore apps;
    private final Store store;
    private final Rpc rpc;
    private final Isolates isolates;
    private final Path sockets;
    private final Path logs;
    private final Path pythonLib;
    private final Clock clock;
    private final LongSupplier nanos;
    private final Map<String, Running> running = new ConcurrentHashMap<>();
    /** Apps being paused, each with the end of its pause. Guarded by this. */
    private final Map<String, CompletableFuture<Void>> stopping = new java.util.HashMap<>();

    private record Running(AppEngine engine, WorkerServer socket, Profile profile) {}

    public Engine(AppStore apps, Store store, Rpc rpc, Isolates isolates, Path data, Clock clock, LongSupplier nanos) throws IOException {
        this.apps = apps;
        this.store = store;
        this.rpc = rpc;
        this.isolates = isolates;
        this.sockets = data.resolve("run").resolve("apps");
        this.logs = data.resolve("logs").resolve("apps");
        this.pythonLib = installPythonLibrary(data.resolve("lib").resolve("python"));
        this.clock = clock;
        this.nanos = nanos;
        rpc.serve(new NodeService(this));
    }

    /** The Python worker library, from the agent's jar to where workers' PYTHONPATH points. */
    private static Path installPythonLibrary(Path dir) throws IOException {
        Files.createDirectories(dir);
        try (InputStream in = Engine.class.getResourceAsStream("/sdk/python/steward_worker.py")) {
            if (in == null) throw new IOException("the agent's jar lacks the Python worker library");
            Path tmp = Files.createTempFile(dir, ".steward_worker", ".py");
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            Files.move(tmp, dir.resolve("steward_worker.py"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        return dir;
    }

    /** The logs of the app's workers, those gone included (the last few are kept), oldest first; or of one worker. */
    public List<Path> logs(String app, String worker) {
        return dev.steward.agent.logs.LogFiles.in(logs.resolve(app), worker);
    }

    /** Starts the apps of the runlist and those that ran when the agent last stopped; problems are reported, not thrown. */
    public void startAtBoot() {
        Map<String, String> all = new TreeMap<>(apps.runlist());
        store.list(RUNNING).forEach((k, v) -> all.putIfAbsent(k.substring(RUNNING.length()), v));
        all.forEach((app, profile) -> {
            try {
                start(app, profile);
            } catch (RuntimeException e) {
                System.err.println("steward: cannot start app " + app + " with profile " + profile + ": " + e.getMessage());
            }
        });
    }

    /** Starts {@code app} with {@code profileName}: "the app has been started", or "the app is already running". */
    public synchronized String start(String app, String profileName) {
        if (stopping.containsKey(app)) throw new ConflictException("app " + app + " is being paused; start it when it has stopped");
        if (running.containsKey(app)) return "the app is already running";
        AppRecord record = apps.app(app).orElseThrow(() -> new NotFoundException("no app '" + app + "'"));
        Profile profile = apps.profile(profileName).orElseThrow(() -> new NotFoundException("no profile '" + profileName + "'"));
        Isolate isolate = isolates.of(new IsolateSpec(profile.isolate(), Map.of()));
        EventLoop loop = rpc.loops().next();
        Path socket = sockets.resolve(app + ".sock");
        Workers workers = new Workers(record, profile, isolate, socket, logs.resolve(app), pythonLib);
        AppEngine engine = new AppEngine(app, profileName, profile, loop, workers, nanos, clock);
        WorkerServer server;
        try {
            server = new WorkerServer(rpc.loops(), loop, rpc.epoll(), socket, engine);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot open the app's worker socket: " + e.getMessage());
        }
        engine.start();
        running.put(app, new Running(engine, server, profile));
        rpc.serve(new AppService(engine), loop);
        store.put(RUNNING + app, profileName);
        return "the app has been started";
    }

    /**
     * Stops {@code app}'s workers (within its termination timeout): "the app has been stopped", or
     * "the app is not running". The engine's lock is not held while the workers end, so other apps
     * start and stop meanwhile; a second pause of the same app waits for the first.
     */
    public String pause(String app) {
        CompletableFuture<Void> done;
        Running r;
        synchronized (this) {
            CompletableFuture<Void> already = stopping.get(app);
            r = running.get(app);
            if (already != null) {
                done = already;
                r = null;
            } else if (r == null) {
                return "the app is not running";
            } else {
                done = new CompletableFuture<>();
                stopping.put(app, done);
                store.delete(RUNNING + app);
            }
        }
        if (r != null) {
            try {
                stop(r);
            } finally {
                synchronized (this) {
                    stopping.remove(app);
                }
                done.complete(null);
            }
        }
        done.join();
        return "the app has been stopped";
    }

    /** Sessions in flight finish (within the termination timeout) before the app's port and its clients' connections close. */
    private void stop(Running r) {
        try {
            r.engine().stop().get(r.profile().terminationTimeout().toMillis() + 2_000, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            r.engine().kill();
        }
        rpc.withdraw(r.engine().name());
        r.socket().close();
        running.remove(r.engine().name(), r);
    }

    public List<String> list() {
        return new ArrayList<>(new TreeMap<>(running).keySet());
    }

    public Optional<AppEngine> app(String name) {
        Running r = running.get(name);
        return r == null ? Optional.empty() : Optional.of(r.engine());
    }

    /** Refuses to let a running app, or a profile a running app uses, be removed. */
    public void checkRemovable(String app, String profile) {
        if (app != null && running.containsKey(app)) throw new ConflictException("app " + app + " is running (pause it first)");
        if (profile != null) {
            List<String> users = running.values().stream().filter(r -> r.engine().profileName().equals(profile)).map(r -> r.engine().name()).sorted().toList();
            if (!users.isEmpty()) throw new ConflictException("profile " + profile + " is used by the running app " + String.join(", ", users));
        }
    }

    /** Stops every app; they are started again when the agent comes back. */
    @Override
    public synchronized void close() {
        List<Thread> stopping = new ArrayList<>();
        for (Running r : List.copyOf(running.values())) stopping.add(Thread.ofVirtual().start(() -> stop(r)));
        for (Thread t : stopping) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
