package dev.steward.agent;

import dev.steward.agent.api.ApiServer;
import dev.steward.agent.config.AgentConfig;
import dev.steward.agent.events.EventBus;
import dev.steward.agent.gateway.AccessLog;
import dev.steward.agent.gateway.Gateway;
import dev.steward.agent.traffic.InFlight;
import dev.steward.agent.scale.Autoscaler;
import dev.steward.agent.scale.Demand;
import dev.steward.agent.isolate.ExitWatcher;
import dev.steward.agent.isolate.Isolates;
import dev.steward.agent.logs.LogFiles;
import dev.steward.agent.metrics.Metrics;
import dev.steward.agent.store.EtcdStore;
import dev.steward.agent.store.Layout;
import dev.steward.agent.store.SqliteStore;
import dev.steward.agent.store.StateRepository;
import dev.steward.agent.store.Store;
import dev.steward.agent.health.Pinger;
import dev.steward.agent.instance.Context;
import dev.steward.agent.instance.PortAllocator;
import dev.steward.agent.job.Jobs;
import dev.steward.agent.service.Registry;
import dev.steward.model.SpecParser;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** One running agent: store, registry, jobs, engine, metrics, API, gateway and RPC, started together and closed together. */
public final class Agent implements AutoCloseable {
    public static final String VERSION = dev.steward.model.Version.CURRENT;
    private final AgentConfig config;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final Store store;
    private final ExitWatcher watcher;
    private final ScheduledExecutorService timer;
    private final Registry registry;
    private final java.util.concurrent.ExecutorService writes;
    private final dev.steward.agent.logs.LogStamper stamps;
    private final ApiServer api;
    private volatile Gateway gateway;
    /** The open instances of dynamic services (issue 14). */
    private final dev.steward.agent.dynamic.Dynamics dynamics;
    private final dev.steward.agent.rpc.Rpc rpc;
    private final dev.steward.agent.engine.Engine engine;
    private final dev.steward.agent.functions.Functions functions;
    private final AccessLog accessLog;
    private final Instant started;
    private final Isolates isolates;
    private final Duration readyIn;
    private final dev.steward.agent.auth.Tokens tokens;
    private final dev.steward.agent.auth.Audit audit;
    private final Metrics metrics;
    /** This node in the cluster (null alone), and what it publishes. */
    private final dev.steward.agent.cluster.Membership membership;
    /** The cluster's token as this node checks it (null alone). */
    private final dev.steward.agent.cluster.ClusterToken clusterToken;
    private final dev.steward.agent.cluster.NodeReport self;
    private final AutoCloseable following;
    /** The cluster's scheduler as this node campaigns for it (null alone). */
    private final dev.steward.agent.placement.Scheduler scheduler;
    /** Other nodes' instances as the gateway reaches them, and the round trips to them (null alone). */
    private final dev.steward.agent.mesh.Mesh mesh;
    /** The protocol services across the cluster, for the locator (null alone). */
    private final dev.steward.agent.mesh.Locations locations;

    private Agent(AgentConfig config) throws IOException {
        this.config = config;
        long t0 = System.nanoTime();
        Path data = config.dataDir().toAbsolutePath();
        Files.createDirectories(data);
        lockChannel = FileChannel.open(data.resolve("agent.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        lock = lockChannel.tryLock();
        if (lock == null) {
            lockChannel.close();
            throw new IllegalStateException("another agent is using the data dir " + data);
        }
        StartupTrace.mark("data dir locked");
        // the API's library readies its classes meanwhile, on the thread that will start the API
        var apiPrepared = java.util.concurrent.CompletableFuture.runAsync(ApiServer::prepare, Agent::apiThread);
        Clock clock = Clock.systemUTC();
        started = clock.instant();
        var scope = dev.steward.agent.isolate.NodeScope.of(data, config.clustered() ? config.nodeName() : null);
        self = new dev.steward.agent.cluster.NodeReport(config.nodeName(), config.clustered() ? config.cluster().labels() : Map.of(), data, clock);
        // the exit watcher (its native library) and the isolates (helper, cgroups, engine) are found while
        // SQLite opens: neither needs the other
        var finding = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            ExitWatcher w = new ExitWatcher();
            try {
                Isolates found = new Isolates(scope, w, Path.of("/sys/fs/cgroup"), config.dockerHost(), data.resolve("bin"));
                StartupTrace.mark("isolates found");
                if (!"false".equals(System.getProperty("steward.warm-up.spawn"))) {
                    Thread.ofVirtual().name("steward-spawn-warm-up").start(found::warmUp);
                }
                return new Found(w, found);
            } catch (RuntimeException e) {
                w.close();
                throw e;
            }
        }, r -> Thread.ofPlatform().name("steward-isolates-start").start(r));
        try {
            store = config.clustered() ? new EtcdStore(config.cluster().endpoints(), config.cluster().tls(), Layout.of(config.nodeName()))
                    : new SqliteStore(data.resolve("steward.db"), data.resolve("bin"));
            // the cluster's token is checked, then the node's name taken, before anything of the node's is touched:
            // an agent without the token, or a second agent of the name, stops here
            clusterToken = config.clustered() ? admit((EtcdStore) store, config.cluster().token()) : null;
            membership = config.clustered() ? joinCluster(config, (EtcdStore) store, self, clusterToken, clock) : null;
        } catch (RuntimeException e) {
            finding.thenAccept(f -> f.watcher().close()); // the isolates being found are dropped with it
            releaseLock();
            throw e;
        }
        StartupTrace.mark("store opened");
        timer = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().name("steward-timer").daemon().unstarted(r));
        EventBus bus = new EventBus();
        InFlight inFlight = new InFlight();
        Found found;
        try {
            found = joined(finding);
        } catch (RuntimeException e) {
            if (membership != null) membership.close();
            store.close();
            releaseLock();
            throw e;
        }
        watcher = found.watcher();
        isolates = found.isolates();
        // one writer, in order: the services' runners hand it their store writes and never wait for SQLite
        writes = Executors.newSingleThreadExecutor(Thread.ofVirtual().name("steward-store-writer").factory());
        Metrics[] metrics = new Metrics[1];
        stamps = new dev.steward.agent.logs.LogStamper(clock);
        Context ctx = new Context(clock, isolates, new PortAllocator(instanceHost(config)), new Pinger(), bus,
                new StateRepository(store), writes, dev.steward.agent.instance.Timers.of(timer), data, config.nodeName(), config.stopGrace(),
                (service, result) -> metrics[0].pinged(service, result),
                new dev.steward.agent.spool.Spooler(data.resolve("spool"), dev.steward.agent.spool.Limits.DEFAULT), inFlight, config.runAs(), stamps,
                new dev.steward.agent.traffic.Readiness());
        registry = new Registry(ctx, config.clustered() ? new dev.steward.agent.placement.Assignments((EtcdStore) store, config.nodeName()) : null);
        dev.steward.agent.auth.Tokens[] tokensLater = new dev.steward.agent.auth.Tokens[1]; // made below; asked only once serving
        dynamics = new dev.steward.agent.dynamic.Dynamics(ctx, store, scope, config.domain(), () -> gateway == null ? 0 : gateway.port(),
                name -> registry.find(name).map(dev.steward.agent.traffic.Backend::spec), secret -> tokensLater[0].check(secret));
        if (store instanceof EtcdStore etcd) etcd.onReturn(registry::republish);
        scheduler = config.clustered() ? new dev.steward.agent.placement.Scheduler((EtcdStore) store, config.nodeName(), config.cluster().ttl(), clock) : null;
        mesh = config.clustered() ? new dev.steward.agent.mesh.Mesh((EtcdStore) store, config.nodeName(), clock,
                service -> registry.find(service).map(b -> b.ready().size()).orElse(0)) : null;
        metrics[0] = new Metrics(clock, bus, registry::countByService, () -> registry.runners().size());
        this.metrics = metrics[0];
        StartupTrace.mark("registry made");
        Jobs jobs = new Jobs(registry, Duration.ofMinutes(5), store);
        dev.steward.agent.apps.AppStore apps = new dev.steward.agent.apps.AppStore(store, ctx.spooler(), clock);
        try {
            rpc = dev.steward.agent.net.Listening.open("--rpc", config.rpc(), () -> new dev.steward.agent.rpc.Rpc(config.rpc(), data.resolve("logs"), clock));
        } catch (IOException | RuntimeException e) {
            abandon(null);
            throw e;
        }
        StartupTrace.mark("rpc bound");
        locations = config.clustered() ? locations(config, (EtcdStore) store, rpc, mesh) : null;
        engine = new dev.steward.agent.engine.Engine(apps, store, rpc, isolates, data, clock, System::nanoTime);
        functions = new dev.steward.agent.functions.Functions(new dev.steward.agent.functions.FunctionStore(store, ctx.spooler(), clock,
                n -> apps.app(n).isPresent()), engine, rpc, data, System::nanoTime, config.pools(), metrics[0].registry());
        // The API's and the gateway's classes load and their sockets open while the registry loads;
        // the API answers, and the gateway accepts, once loading is done.
        java.util.concurrent.CompletableFuture<Void> loaded = new java.util.concurrent.CompletableFuture<>();
        tokens = new dev.steward.agent.auth.Tokens(store, clock, clusterToken);
        tokens.bootstrap(data, config.clustered() ? config.nodeName() : null);
        tokensLater[0] = tokens;
        StartupTrace.mark("tokens");
        audit = new dev.steward.agent.auth.Audit(store);
        var access = new ApiServer.Access(tokens, audit, clock, apiNames(config), store,
                config.clustered() && config.cluster().secure() ? config.cluster().tls().ca() : java.util.List.of());
        dev.steward.agent.cluster.Nodes nodes = membership != null ? new dev.steward.agent.placement.ClusterNodes(membership, store, scheduler, clock)
                : dev.steward.agent.cluster.Nodes.alone(self, clock);
        var apiStarting = apiPrepared.handle((v, e) -> null).thenApplyAsync(v -> listening("--api", config.api(), () -> new ApiServer(config.api(), config.tls().api(), registry, jobs, apps, engine, functions,
                data.resolve("uploads"), bus, metrics[0], this::info, nodes, loaded, access, dynamics)), Agent::apiThread);
        accessLog = new AccessLog(data.resolve("logs").resolve("gateway-access.log"), clock);
        Demand demand = new Demand(System::nanoTime);
        Autoscaler scaler = mesh == null ? new Autoscaler(registry, demand, System::nanoTime)
                : new Autoscaler(registry, demand, System::nanoTime, service -> mesh.elsewhere(service).size());
        var gatewayStarting = java.util.concurrent.CompletableFuture.supplyAsync(() -> listening("--gateway", config.gateway(), () -> gateway(inFlight, metrics[0], demand, scaler)),
                r -> Thread.ofPlatform().name("steward-gateway-start").start(r));
        try {
            // what runs at start is known before the gateway accepts, so no early request finds nothing
            registry.restore();
            StartupTrace.mark("services restored");
            dynamics.restore();
            following = registry.follow();
            applyAtStart();
            engine.startAtBoot();
        } finally {
            loaded.complete(null);
        }
        StartupTrace.mark("restored and applied");
        try {
            gateway = joined(gatewayStarting);
        } catch (RuntimeException e) {
            apiStarting.thenAccept(ApiServer::close);
            abandon(engine);
            throw e;
        }
        scaler.start(timer);
        gateway.accept();
        StartupTrace.mark("gateway accepting");
        Thread.ofVirtual().name("steward-gateway-warm-up").start(() -> {
            gateway.warmUp();
            StartupTrace.mark("gateway warmed up");
        });
        try {
            api = joined(apiStarting);
        } catch (RuntimeException e) {
            gateway.close();
            abandon(engine);
            throw e;
        }
        StartupTrace.mark("api joined");
        self.serving(this::advertised, () -> registry.runners().stream().mapToInt(dev.steward.agent.service.ServiceRunner::live).sum());
        if (mesh != null) self.measuring(mesh::rttMillis);
        if (membership != null) membership.publish(timer);
        if (mesh != null) mesh.start();
        if (locations != null) locations.start();
        if (scheduler != null) scheduler.start();
        readyIn = Duration.ofNanos(System.nanoTime() - t0);
        // serving already: now the instances left running are looked at, and leftovers removed
        Thread.ofVirtual().name("steward-adoption").start(registry::adoptAll);
        Thread.ofVirtual().name("steward-runtime-meters").start(metrics[0]::bindRuntime);
        timer.scheduleWithFixedDelay(accessLog::flush, 1, 1, TimeUnit.SECONDS);
        // the web UI's plots: a point per service each second (a late tick leaves a gap, shown as one)
        timer.scheduleAtFixedRate(() -> {
            try {
                this.metrics.series().sample();
            } catch (RuntimeException e) { // the next second is sampled all the same
                System.err.println("steward: series sample: " + e);
            }
        }, 1000 - clock.millis() % 1000 + 50, 1000, TimeUnit.MILLISECONDS);
        timer.scheduleWithFixedDelay(() -> LogFiles.rotateAll(data.resolve("logs"), 10L << 20, 3), 10, 10, TimeUnit.SECONDS);
    }

    /** The exit watcher and the isolates that report to it, found together at the start. */
    private record Found(ExitWatcher watcher, Isolates isolates) {}

    private static void apiThread(Runnable r) {
        Thread.ofPlatform().name("steward-api-start").start(r);
    }

    /** The cluster's token checked against what etcd keeps, or the store closed and a failure. */
    private static dev.steward.agent.cluster.ClusterToken admit(EtcdStore store, String token) {
        try {
            return dev.steward.agent.cluster.ClusterToken.admit(store, token);
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
    }

    /**
     * Where instances listen, and are reached: alone on loopback; in a cluster on {@code --advertise}, else on
     * the API's bind address (loopback when that is the wildcard), so that other nodes' gateways reach them.
     */
    static String instanceHost(AgentConfig config) {
        if (!config.clustered()) return "127.0.0.1";
        if (config.cluster().advertise() != null) return config.cluster().advertise();
        java.net.InetAddress a = config.api().getAddress();
        return a == null || a.isAnyLocalAddress() ? "127.0.0.1" : a.getHostAddress();
    }

    /**
     * What the locator resolves on other nodes, and publishes of this one: its protocol services where other nodes
     * reach them (said at start when they cannot: the RPC port bound to loopback while the node advertises another address).
     */
    private static dev.steward.agent.mesh.Locations locations(AgentConfig config, EtcdStore store, dev.steward.agent.rpc.Rpc rpc,
                                                              dev.steward.agent.mesh.Mesh mesh) {
        String advertised = instanceHost(config);
        String host = dev.steward.agent.mesh.Locations.reachableAt(rpc.host(), advertised);
        if (host == null) {
            System.err.println("steward: the RPC port is bound to " + rpc.host() + " while this node advertises " + advertised
                    + ": other nodes' locators do not send clients to its apps (bind --rpc to " + advertised + " with --rpc-public)");
        }
        return new dev.steward.agent.mesh.Locations(store, config.nodeName(), rpc, host, mesh::rttNanos);
    }

    /**
     * Joins the cluster and says hello to the other nodes with the cluster's token; or leaves, closes the
     * store and fails when the node's name is held by another agent or a node refuses the token.
     */
    private static dev.steward.agent.cluster.Membership joinCluster(AgentConfig config, EtcdStore store, dev.steward.agent.cluster.NodeReport self,
                                                                      dev.steward.agent.cluster.ClusterToken token, Clock clock) {
        dev.steward.agent.cluster.Membership m = null;
        try {
            m = dev.steward.agent.cluster.Membership.join(store, self, config.cluster().ttl(), clock);
            new dev.steward.agent.cluster.Peers(config.nodeName(), token, config.cluster().tls()).greet(m.nodes());
            return m;
        } catch (RuntimeException e) {
            if (m != null) m.close();
            store.close();
            throw e;
        }
    }

    /** The listeners as other nodes reach them: on {@code --advertise}, else on the API's bind address. */
    private dev.steward.agent.cluster.NodeRecord.Address advertised() {
        String host = config.clustered() && config.cluster().advertise() != null ? config.cluster().advertise() : config.api().getHostString();
        String h = host.contains(":") ? "[" + host + "]" : host;
        return new dev.steward.agent.cluster.NodeRecord.Address((config.tls().api() != null ? "https://" : "http://") + h + ":" + api.port(),
                (config.tls().gateway() != null ? "https://" : "http://") + h + ":" + gateway.port(), h + ":" + rpc.port());
    }

    private void releaseLock() {
        try {
            lock.release();
            lockChannel.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    private Gateway gateway(InFlight inFlight, Metrics m, Demand demand, Autoscaler scaler) {
        Gateway g = new Gateway(Gateway.Settings.defaults(config.gateway(), config.domain(), config.tls().gateway()),
                dev.steward.agent.traffic.Backends.joined(registry, dynamics),
                mesh != null ? mesh : dev.steward.agent.traffic.Reach.NONE, inFlight, demand, scaler, s -> {
            if (!s.service().isEmpty()) m.proxied(s.service(), s.status(), s.nanos());
            accessLog.log(s);
        }, new dev.steward.agent.gateway.Doors(engine, dev.steward.agent.functions.FunctionDoor.byEvent(functions)));
        StartupTrace.mark("gateway bound");
        return g;
    }

    /** A start that failed: what was opened so far is closed, in reverse (the instances keep running). */
    private void abandon(dev.steward.agent.engine.Engine engine) {
        if (engine != null) engine.close();
        closeRpc();
        Closing.quietly(following);
        registry.detach();
        writes.shutdown();
        closeStoreAndLock();
    }

    private void closeRpc() {
        try {
            if (rpc != null) rpc.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    /** The last of a close: timers, the exit watcher, the logs' stamper, the node's lease, the store, then the data dir's lock. */
    private void closeStoreAndLock() {
        timer.shutdownNow();
        if (stamps != null) stamps.close();
        watcher.close();
        if (scheduler != null) scheduler.close();
        if (locations != null) locations.close();
        if (mesh != null) mesh.close();
        if (membership != null) membership.close();
        store.close();
        releaseLock();
    }

    /** {@link dev.steward.agent.net.Listening#open} for a thread of its own, where an I/O error is unchecked. */
    private static <T> T listening(String flag, java.net.InetSocketAddress address, java.util.concurrent.Callable<T> open) {
        try {
            return dev.steward.agent.net.Listening.open(flag, address, open);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** What was started on a thread of its own, or its failure as if it had happened here. */
    private static <T> T joined(java.util.concurrent.CompletableFuture<T> starting) {
        try {
            return starting.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            if (e.getCause() instanceof Error err) throw err;
            throw e;
        }
    }

    /** The names besides IP addresses and localhost by which the API may be reached: the host's, the node's and the API's bind name. */
    private static java.util.Set<String> apiNames(AgentConfig config) {
        java.util.Set<String> names = new java.util.HashSet<>();
        names.add(config.nodeName().toLowerCase(java.util.Locale.ROOT));
        names.add(config.api().getHostString().toLowerCase(java.util.Locale.ROOT));
        config.apiNames().forEach(n -> names.add(n.toLowerCase(java.util.Locale.ROOT)));
        try {
            names.add(java.net.InetAddress.getLocalHost().getHostName().toLowerCase(java.util.Locale.ROOT));
        } catch (IOException e) {
            // no host name: IP addresses and localhost still work
        }
        return names;
    }

    public dev.steward.agent.auth.Tokens tokens() {
        return tokens;
    }

    /** How long the agent took from its start until its API and gateway served (adoption may go on after). */
    public Duration readyIn() {
        return readyIn;
    }

    public static Agent start(AgentConfig config) throws IOException {
        return new Agent(config);
    }

    private void applyAtStart() {
        for (Path p : config.applyAtStart()) {
            try {
                SpecParser.Parsed parsed = SpecParser.parse(Files.readString(p), p.toAbsolutePath().getParent());
                registry.apply(parsed, dev.steward.agent.auth.Caller.AGENT.name());
                System.out.println("steward: applied " + p);
            } catch (Exception e) {
                System.err.println("steward: cannot apply " + p + ": " + e.getMessage());
            }
        }
    }

    /** The API's routes, as its server has them. */
    public java.util.List<ApiServer.RouteInfo> apiRoutes() {
        return api.routes();
    }

    public int apiPort() {
        return api.port();
    }

    /** The API's URL: {@code http://} or, with TLS, {@code https://HOST:PORT} as bound. */
    public String apiUrl() {
        return url(config.tls().api() != null, config.api(), api.port());
    }

    /** The gateway's URL, as {@link #apiUrl()}. */
    public String gatewayUrl() {
        return url(config.tls().gateway() != null, config.gateway(), gateway.port());
    }

    private static String url(boolean tls, java.net.InetSocketAddress bound, int port) {
        String host = bound.getHostString();
        return (tls ? "https://" : "http://") + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    public String gatewayTransport() {
        return gateway.transport();
    }

    public int rpcPort() {
        return rpc.port();
    }

    public int gatewayPort() {
        return gateway.port();
    }

    public Registry registry() {
        return registry;
    }

    public Map<String, Object> info() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("version", VERSION);
        if (!dev.steward.model.Version.BUILT.isEmpty()) m.put("built", dev.steward.model.Version.BUILT);
        m.put("node", config.nodeName());
        m.put("cluster", config.clustered() ? Map.of("store", "etcd", "endpoints", config.cluster().endpoints(), "labels", config.cluster().labels())
                : Map.of("store", "sqlite"));
        m.put("pid", ProcessHandle.current().pid());
        m.put("started", started.toString());
        m.put("data-dir", config.dataDir().toAbsolutePath().toString());
        m.put("dev", config.dev());
        m.put("listeners", Map.of("api", apiUrl(), "gateway", gatewayUrl(), "rpc", config.rpc().getHostString() + ":" + rpc.port()));
        m.put("tls", Map.of("api", config.tls().api() != null, "gateway", config.tls().gateway() != null, "rpc", false));
        m.put("services", registry.runners().size());
        m.put("isolates", Map.of("available", java.util.List.copyOf(isolates.names()), "unavailable", isolates.unavailable()));
        return m;
    }

    /**
     * Stops serving. Instances keep running so that the next agent adopts them; in dev mode they are
     * stopped with the agent.
     */
    @Override
    public void close() {
        gateway.close();
        functions.close();
        engine.close();
        closeRpc();
        accessLog.close();
        if (config.dev()) {
            registry.runners().forEach(c -> c.halt());
            registry.runners().forEach(c -> c.awaitStopped(config.stopGrace().plusSeconds(1)));
        }
        dynamics.close(config.dev()); // dev: closed like the services; else left running, picked up at the next start
        Closing.quietly(following);
        registry.detach(); // pings end before the API closes under them
        api.close();
        metrics.close();
        audit.close();
        writes.shutdown();
        try {
            writes.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeStoreAndLock();
    }
}
