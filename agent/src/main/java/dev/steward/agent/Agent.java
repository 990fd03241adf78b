package dev.steward.agent;

import dev.steward.agent.api.ApiServer;
import dev.steward.agent.config.AgentConfig;
import dev.steward.agent.events.EventBus;
import dev.steward.agent.gateway.AccessLog;
import dev.steward.agent.gateway.Gateway;
import dev.steward.agent.gateway.InFlight;
import dev.steward.agent.scale.Autoscaler;
import dev.steward.agent.scale.Demand;
import dev.steward.agent.isolate.ExitWatcher;
import dev.steward.agent.isolate.Isolates;
import dev.steward.agent.logs.LogFiles;
import dev.steward.agent.metrics.Metrics;
import dev.steward.agent.store.SqliteStore;
import dev.steward.agent.store.StateRepository;
import dev.steward.agent.store.Store;
import dev.steward.agent.supervisor.Context;
import dev.steward.agent.supervisor.Jobs;
import dev.steward.agent.supervisor.PortAllocator;
import dev.steward.agent.supervisor.Pinger;
import dev.steward.agent.supervisor.Supervisor;
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

/** One running agent: store, supervisor, jobs, metrics and API, started together and closed together. */
public final class Agent implements AutoCloseable {
    public static final String VERSION = "0.1.0";
    private final AgentConfig config;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final Store store;
    private final ExitWatcher watcher;
    private final ScheduledExecutorService timer;
    private final Supervisor supervisor;
    private final ApiServer api;
    private final Gateway gateway;
    private final dev.steward.agent.rpc.Rpc rpc;
    private final dev.steward.agent.engine.Engine engine;
    private final AccessLog accessLog;
    private final Instant started;
    private final Isolates isolates;

    private Agent(AgentConfig config) throws IOException {
        this.config = config;
        Path data = config.dataDir().toAbsolutePath();
        Files.createDirectories(data);
        lockChannel = FileChannel.open(data.resolve("agent.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        lock = lockChannel.tryLock();
        if (lock == null) {
            lockChannel.close();
            throw new IllegalStateException("another agent is using the data dir " + data);
        }
        Clock clock = Clock.systemUTC();
        started = clock.instant();
        store = new SqliteStore(data.resolve("steward.db"));
        watcher = new ExitWatcher();
        timer = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().name("steward-timer").daemon().unstarted(r));
        EventBus bus = new EventBus();
        InFlight inFlight = new InFlight();
        Metrics[] metrics = new Metrics[1];
        isolates = new Isolates(dev.steward.agent.isolate.NodeScope.of(data), watcher, Path.of("/sys/fs/cgroup"), config.dockerHost(), data.resolve("bin"));
        Context ctx = new Context(clock, isolates, new PortAllocator(), new Pinger(), bus,
                new StateRepository(store), timer, data, config.nodeName(), config.stopGrace(),
                (service, result) -> metrics[0].pinged(service, result),
                new dev.steward.agent.spool.Spooler(data.resolve("spool"), dev.steward.agent.spool.Limits.DEFAULT), inFlight);
        supervisor = new Supervisor(ctx);
        metrics[0] = new Metrics(bus, supervisor::controllers);
        Jobs jobs = new Jobs(supervisor, Duration.ofMinutes(5));
        supervisor.load();
        dev.steward.agent.apps.AppStore apps = new dev.steward.agent.apps.AppStore(store, ctx.spooler(), clock);
        rpc = new dev.steward.agent.rpc.Rpc(config.rpc(), data.resolve("logs"), clock);
        engine = new dev.steward.agent.engine.Engine(apps, store, rpc, isolates, data, clock, System::nanoTime);
        // what runs at start is known before the API and the gateway open, so no early request finds nothing
        applyAtStart();
        engine.startAtBoot();
        api = new ApiServer(config.api(), supervisor, jobs, apps, engine, data.resolve("uploads"), bus, metrics[0], this::info);
        accessLog = new AccessLog(data.resolve("logs").resolve("gateway-access.log"), clock);
        Metrics m = metrics[0];
        Demand demand = new Demand(System::nanoTime);
        Autoscaler scaler = new Autoscaler(supervisor, demand, System::nanoTime);
        scaler.start(timer);
        gateway = new Gateway(Gateway.Settings.defaults(config.gateway(), config.domain()), supervisor, inFlight, demand, scaler, s -> {
            if (!s.service().isEmpty()) m.proxied(s.service(), s.status(), s.nanos());
            accessLog.log(s);
        }, engine::app);
        timer.scheduleWithFixedDelay(accessLog::flush, 1, 1, TimeUnit.SECONDS);
        timer.scheduleWithFixedDelay(() -> LogFiles.rotateAll(data.resolve("logs"), 10L << 20, 3), 10, 10, TimeUnit.SECONDS);
    }

    public static Agent start(AgentConfig config) throws IOException {
        return new Agent(config);
    }

    private void applyAtStart() {
        for (Path p : config.applyAtStart()) {
            try {
                SpecParser.Parsed parsed = SpecParser.parse(Files.readString(p), p.toAbsolutePath().getParent());
                supervisor.apply(parsed, System.getProperty("user.name", ""));
                System.out.println("steward: applied " + p);
            } catch (Exception e) {
                System.err.println("steward: cannot apply " + p + ": " + e.getMessage());
            }
        }
    }

    public int apiPort() {
        return api.port();
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

    public Supervisor supervisor() {
        return supervisor;
    }

    public Map<String, Object> info() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("version", VERSION);
        m.put("node", config.nodeName());
        m.put("pid", ProcessHandle.current().pid());
        m.put("started", started.toString());
        m.put("data-dir", config.dataDir().toAbsolutePath().toString());
        m.put("dev", config.dev());
        m.put("listeners", Map.of("api", "http://" + config.api().getHostString() + ":" + api.port(),
                "gateway", "http://" + config.gateway().getHostString() + ":" + gateway.port(),
                "rpc", config.rpc().getHostString() + ":" + rpc.port()));
        m.put("services", supervisor.controllers().size());
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
        engine.close();
        try {
            rpc.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        accessLog.close();
        api.close();
        if (config.dev()) {
            supervisor.controllers().forEach(c -> c.halt());
            supervisor.controllers().forEach(c -> c.awaitStopped(config.stopGrace().plusSeconds(1)));
        }
        supervisor.detach();
        timer.shutdownNow();
        watcher.close();
        store.close();
        try {
            lock.release();
            lockChannel.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
