package dev.steward.agent.functions;

import dev.steward.agent.auth.Caller;
import dev.steward.agent.engine.AppService;
import dev.steward.agent.engine.Engine;
import dev.steward.agent.engine.Sink;
import dev.steward.agent.engine.Warmth;
import dev.steward.agent.errors.NotFoundException;
import dev.steward.agent.rpc.Rpc;
import dev.steward.agent.spool.Format;
import dev.steward.model.FunctionManifest;
import dev.steward.protocol.Messages;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * The functions of this node at work: each function's current version runs as an app of its
 * runtime's generic workers, started at its first invocation; a change to a function (a new version,
 * its removal) retires the running versions that load it, which finish what they have and stop. Each
 * function is published on the RPC port as an app of its name, and counted.
 */
public final class Functions implements AutoCloseable {
    private final FunctionStore store;
    private final Engine engine;
    private final Rpc rpc;
    private final Runtimes runtimes;
    private final Path logs;
    private final LongSupplier nanos;
    private final Map<String, Live> live = new ConcurrentHashMap<>();
    private final Map<String, FunctionStats> stats = new ConcurrentHashMap<>();
    /** Held while a version starts and while a change retires versions: none starts from what a change replaced. */
    private final ReentrantLock starting = new ReentrantLock();
    private final AtomicLong launches = new AtomicLong();
    private final WarmPool pool;
    private final Workflows workflows;
    private final AutoCloseable callDoor;
    private final io.micrometer.core.instrument.MeterRegistry meters;

    public Functions(FunctionStore store, Engine engine, Rpc rpc, Path data, LongSupplier nanos, dev.steward.agent.config.FunctionPools pools,
                     io.micrometer.core.instrument.MeterRegistry meters) throws IOException {
        this.store = store;
        this.engine = engine;
        this.rpc = rpc;
        Path calls = data.resolve("run").resolve("fn-calls.sock");
        this.runtimes = Runtimes.install(engine.pythonLib(), data.resolve("lib"), data.resolve("cache"), calls);
        this.logs = data.resolve("logs").resolve("functions");
        this.nanos = nanos;
        this.meters = meters;
        this.workflows = new Workflows(data.resolve("workflows"), nanos);
        this.callDoor = rpc.serveAt(new CallDoor(this), calls);
        this.pool = new WarmPool(runtimes.poolSizes(pools), pools.idle(), engine::isolate, runtimes.poolEnvironment(engine.pythonLib()),
                data.resolve("run"), logs.resolve(".pool"), nanos, MemInfo.PROC);
        runtimes.onJavaCacheMade(pool::renew); // the JVMs paused before it was made start again with it
        engine.reserve(n -> n.equals(FunctionDoor.GATEWAY_PREFIX) || store.function(n).isPresent());
        for (FunctionRecord r : store.functions()) {
            publish(r.name());
            pool.touch(runtimes.poolKey(r.current().parsed()));
            runtimes.prepare(r.current().parsed().runtime());
        }
    }

    public FunctionStore store() {
        return store;
    }

    /** Adds a version of {@code name} (see {@link FunctionStore#add}); the versions running finish what they have. */
    public FunctionRecord add(String name, Path archive, Format format, Caller who) {
        FunctionRecord r = store.add(name, archive, format, who);
        pool.touch(runtimes.poolKey(r.current().parsed()));
        runtimes.prepare(r.current().parsed().runtime());
        changed(name);
        if (r.versions().size() == 1) publish(name); // a first version; later ones go through the same service
        return r;
    }

    /** Removes {@code name}; an invocation running finishes on its version, later ones find no function. */
    public FunctionRecord remove(String name, Caller who) {
        FunctionRecord r = store.remove(name, who);
        rpc.withdraw(name);
        changed(name);
        FunctionStats gone = stats.remove(name);
        if (gone != null) gone.forget();
        return r;
    }

    private void publish(String name) {
        rpc.serve(new AppService(new FunctionDoor(this, name)));
    }

    /** Retires every running version that loads {@code name}. */
    private void changed(String name) {
        starting.lock();
        try {
            for (Live l : List.copyOf(live.values())) {
                if (l.loads.contains(name) && live.remove(l.name, l)) l.retire();
            }
        } finally {
            starting.unlock();
        }
    }

    /**
     * Invokes {@code name} with {@code data}, its reply to {@code sink} (on the version's event loop, or
     * on this thread when there is no such function); {@code timeout} (zero: the function's own) is
     * capped by the function's. Called on an event loop (the RPC port, the gateway) for a version not
     * running yet, the version starts on a virtual thread (it binds a socket, which an event loop may
     * not wait for), and what follows comes back to that loop.
     */
    public void invoke(String name, byte[] data, Duration timeout, Sink sink) {
        invoke(name, data, timeout, null, 0, sink);
    }

    /**
     * A handler's other-worker call: {@code caller}, a function of the invocation that holds {@code token},
     * calls {@code callee} at {@code depth}; the callee runs in its own workers, in the caller's workflow,
     * within the time the caller has left. Refused on {@code sink} when the token is not a running
     * invocation's or the caller did not declare the callee.
     */
    void call(String token, String caller, String callee, int depth, byte[] data, Sink sink) {
        Workflows.Invocation parent;
        try {
            parent = workflows.caller(token, caller, callee, depth);
        } catch (IllegalArgumentException e) {
            failed(sink, Messages.INVOCATION_ERROR, e.getMessage());
            return;
        }
        invoke(callee, data, workflows.left(parent), parent, Math.max(depth, parent.depth()) + 1, sink);
    }

    private void invoke(String name, byte[] data, Duration timeout, Workflows.Invocation parent, int depth, Sink sink) {
        Live running = live.get(name);
        if (running != null && running.acquire()) {
            send(running, name, data, timeout, parent, depth, sink);
            return;
        }
        io.netty.util.concurrent.EventExecutor loop = io.netty.util.internal.ThreadExecutorMap.currentExecutor();
        if (loop == null) {
            startAndSend(name, data, timeout, parent, depth, sink, Runnable::run);
        } else {
            Thread.ofVirtual().name("steward-fn-start-" + name).start(() -> startAndSend(name, data, timeout, parent, depth, sink, loop::execute));
        }
    }

    private void startAndSend(String name, byte[] data, Duration timeout, Workflows.Invocation parent, int depth, Sink sink,
                              java.util.concurrent.Executor back) {
        Live l;
        try {
            l = acquire(name);
        } catch (NotFoundException e) {
            back.execute(() -> failed(sink, Messages.NOT_FOUND_ERROR, e.getMessage()));
            return;
        } catch (RuntimeException e) {
            back.execute(() -> failed(sink, Messages.RESOURCE_ERROR, "function " + name + " cannot start: " + e.getMessage()));
            return;
        }
        back.execute(() -> send(l, name, data, timeout, parent, depth, sink));
    }

    private static void failed(Sink sink, int code, String message) {
        sink.error(code, message);
        sink.flush();
    }

    private void send(Live l, String name, byte[] data, Duration timeout, Workflows.Invocation parent, int depth, Sink sink) {
        dev.steward.agent.engine.InvokeTrace.mark("the function's version taken");
        Duration own = l.timeout;
        Duration limit = timeout.isZero() || timeout.compareTo(own) > 0 ? own : timeout;
        Workflows.Invocation inv = workflows.begin(parent, depth, name, limit, l.otherCalls);
        CountedSink counted = new CountedSink(sink, stats(name), nanos, () -> {
            workflows.end(inv);
            l.release();
        });
        l.launched.engine().enqueue(inv.event(), data, "", limit, counted);
    }

    private FunctionStats stats(String name) {
        return stats.computeIfAbsent(name, n -> new FunctionStats(meters, n));
    }

    private Live acquire(String name) {
        for (;;) {
            Live l = live.get(name);
            if (l == null) l = start(name);
            if (l.acquire()) return l;
            live.remove(name, l);
        }
    }

    private Live start(String name) {
        starting.lock();
        try {
            Live l = live.get(name);
            if (l != null) return l;
            FunctionRecord r = store.function(name).orElseThrow(() -> new NotFoundException("no function '" + name + "'"));
            Map<String, FunctionManifest> manifests = store.manifests();
            Map<String, FunctionVersion> loads = new LinkedHashMap<>();
            for (String n : CallRules.sameWorker(name, manifests)) {
                store.function(n).ifPresent(f -> loads.put(n, f.current()));
            }
            FunctionVersion v = r.current();
            FunctionManifest m = v.parsed();
            FunctionStats counted = stats(name);
            Engine.Launched launched = engine.launch("fn." + name + "." + launches.incrementAndGet(), runtimes.app(name, r.owner(), v, loads),
                    Runtimes.profile(m), logs.resolve(name), m.resources(), new Warmth(m.keepWarm(), m.idle(), pool, counted::started));
            l = new Live(name, v, loads, launched);
            live.put(name, l);
            return l;
        } finally {
            starting.unlock();
        }
    }

    /** The logs of {@code name}'s workers (the last few kept), oldest first; or of one worker. */
    public List<Path> logs(String name, String worker) {
        return dev.steward.agent.logs.LogFiles.in(logs.resolve(name), worker);
    }

    /** What {@code fn info} shows: the function, its versions, its counts, and the version running with its workers. */
    public Map<String, Object> info(String name) throws Exception {
        FunctionRecord r = store.function(name).orElseThrow(() -> new NotFoundException("no function '" + name + "'"));
        Map<String, Object> m = new LinkedHashMap<>(summary(r));
        m.put("versions", r.versions().stream().map(Functions::version).toList());
        Optional<Live> l = Optional.ofNullable(live.get(name));
        if (l.isPresent()) {
            Map<String, Object> running = new LinkedHashMap<>();
            running.put("version", l.get().version.version());
            running.put("loads", l.get().loads);
            running.put("in-flight", l.get().users());
            running.putAll(l.get().launched.engine().info().get(5, java.util.concurrent.TimeUnit.SECONDS));
            m.put("running", running);
        }
        Map<String, Object> poolState = pool.info(runtimes.poolKey(r.current().parsed()));
        m.put("pool", poolState.get("paused"));
        m.put("pool-state", poolState);
        if (r.current().parsed().runtime() == dev.steward.model.FunctionRuntime.JAVA) m.put("java-cache", runtimes.javaCache());
        return m;
    }

    /** One line of {@code fn ls}: name, owner, runtime, handler, current version, counts. */
    public Map<String, Object> summary(FunctionRecord r) {
        FunctionManifest cur = r.current().parsed();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", r.name());
        m.put("owner", r.owner());
        m.put("runtime", cur.runtime().wire());
        m.put("handler", cur.handler());
        m.put("version", r.current().version());
        m.put("calls", cur.calls().entrySet().stream().collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, e -> e.getValue().wire())));
        m.put("state", live.containsKey(r.name()) ? "running" : "idle");
        m.putAll(stats.getOrDefault(r.name(), new FunctionStats()).view());
        return m;
    }

    private static Map<String, Object> version(FunctionVersion v) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("version", v.version());
        m.put("sha256", v.sha256());
        m.put("added", v.added());
        m.put("dir", v.dir());
        m.put("manifest", v.manifest());
        return m;
    }

    /** Stops every running version (the agent is stopping): sessions in flight get the termination timeout. */
    @Override
    public void close() {
        runtimes.close();
        pool.close();
        try {
            callDoor.close();
        } catch (Exception e) {
            // the socket is replaced at the next start
        }
        List<Runnable> stops = new java.util.ArrayList<>();
        for (Live l : List.copyOf(live.values())) {
            if (live.remove(l.name, l)) stops.add(l.launched::stop);
        }
        Engine.inParallel(stops);
    }
}
