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
import java.nio.file.Path;
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
    private volatile java.util.function.Predicate<String> reserved = name -> false;
    /** Apps being paused, each with the end of its pause. Guarded by this. */
    private final Map<String, CompletableFuture<Void>> stopping = new java.util.HashMap<>();

    private record Running(AppEngine engine, WorkerServer socket, Profile profile) {}

    /** An app engine started for another owner (a function's version): neither stored nor published; its owner stops it. */
    public final class Launched {
        private final Running running;

        private Launched(Running running) {
            this.running = running;
        }

        public AppEngine engine() {
            return running.engine();
        }

        /** Stops its workers (sessions in flight finish within the termination timeout) and closes its socket. */
        public void stop() {
            Engine.this.stop(running, false);
        }
    }

    public Engine(AppStore apps, Store store, Rpc rpc, Isolates isolates, Path data, Clock clock, LongSupplier nanos) throws IOException {
        this.apps = apps;
        this.store = store;
        this.rpc = rpc;
        this.isolates = isolates;
        this.sockets = data.resolve("run").resolve("apps");
        this.logs = data.resolve("logs").resolve("apps");
        this.pythonLib = SdkFiles.install(data.resolve("lib").resolve("python"), "python", SdkFiles.PYTHON);
        this.clock = clock;
        this.nanos = nanos;
        rpc.serve(new NodeService(this));
    }

    /** Where the Python worker library is, which workers find on their PYTHONPATH. */
    public Path pythonLib() {
        return pythonLib;
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
        if (reserved.test(app)) throw new ConflictException("the name " + app + " is a function's; apps and functions share one namespace");
        Running r = open(app, record, profileName, profile, logs.resolve(app), dev.steward.model.Resources.NONE, Warmth.NONE);
        running.put(app, r);
        rpc.serve(new AppService(r.engine()), r.engine().loop());
        store.put(RUNNING + app, profileName);
        return "the app has been started";
    }

    /**
     * Starts an engine named {@code name} for {@code record}'s workers, their logs in {@code logDir},
     * limited by {@code resources}: neither stored nor published (a function's version, which its
     * owner reaches and stops through what this returns).
     */
    public Launched launch(String name, AppRecord record, Profile profile, Path logDir, dev.steward.model.Resources resources, Warmth warmth) {
        return new Launched(open(name, record, "", profile, logDir, resources, warmth));
    }

    /** The isolate of type {@code type} (process, sandbox, container), as this node offers it. */
    public Isolate isolate(String type) {
        return isolates.of(new IsolateSpec(type, Map.of()));
    }

    private Running open(String name, AppRecord record, String profileName, Profile profile, Path logDir, dev.steward.model.Resources resources,
                         Warmth warmth) {
        Isolate isolate = isolates.of(new IsolateSpec(profile.isolate(), Map.of()));
        EventLoop loop = rpc.loops().next();
        Path socket = sockets.resolve(name + ".sock");
        Workers workers = new Workers(record, profile, isolate, socket, logDir, pythonLib, resources, warmth.source(), rpc.locator());
        AppEngine engine = new AppEngine(name, profileName, profile, loop, workers, nanos, clock, warmth);
        WorkerServer server;
        try {
            server = new WorkerServer(rpc.loops(), loop, rpc.epoll(), socket, engine);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot open the worker socket of " + name + ": " + e.getMessage());
        }
        engine.start();
        return new Running(engine, server, profile);
    }

    /** Names that apps may not take (functions'): set once, by the functions' owner. */
    public void reserve(java.util.function.Predicate<String> names) {
        reserved = names;
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
                stop(r, true);
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
    private void stop(Running r, boolean published) {
        try {
            r.engine().stop().get(r.profile().terminationTimeout().toMillis() + 2_000, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            r.engine().kill();
        }
        if (published) rpc.withdraw(r.engine().name());
        r.socket().close();
        if (published) running.remove(r.engine().name(), r);
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
        inParallel(List.copyOf(running.values()).stream().<Runnable>map(r -> () -> stop(r, true)).toList());
    }

    /** Runs each of {@code actions} on a virtual thread of its own and waits for all of them. */
    public static void inParallel(List<Runnable> actions) {
        List<Thread> threads = actions.stream().map(a -> Thread.ofVirtual().start(a)).toList();
        for (Thread t : threads) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
