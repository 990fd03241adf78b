package dev.steward.agent.main;

import dev.steward.agent.Agent;
import dev.steward.agent.StartupTrace;
import dev.steward.agent.config.AgentConfig;
import dev.steward.agent.config.FunctionPools;
import dev.steward.agent.isolate.RunAs;
import dev.steward.model.Durations;
import dev.steward.model.Names;
import dev.steward.model.Version;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code steward agent}: runs the agent in the foreground until it is told to stop. The launcher
 * ({@code ./steward agent}) runs this class from the agent's jar; the CLI jar run by hand starts it
 * in a JVM of its own. Exit codes: 2 bad options, 1 the agent could not start.
 */
@Command(name = "steward agent", versionProvider = AgentMain.VersionLine.class, description = "Run the agent.", addMethodSubcommands = false)
public final class AgentMain implements Callable<Integer> {
    // -h and -V declared here rather than mixed in (picocli's mixin loads its default factory, whose start
    // looks for Groovy's classes in every jar of the agent's classpath), and no scan for command methods.
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Option(names = {"-V", "--version"}, versionHelp = true, description = "Print version information and exit.")
    boolean version;

    @Option(names = "--dev", description = "Dev mode: data in ./.steward, the specs in ./examples (or, elsewhere, Steward's own examples) applied, instances stopped with the agent.")
    boolean dev;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Where specs, state and logs are kept (default ~/.local/share/steward).")
    Path dataDir;

    @Option(names = "--api", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:7700", description = "API and web UI (default ${DEFAULT-VALUE}; port 0 chooses one).")
    String api;

    @Option(names = "--gateway", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:8080", description = "The HTTP gateway (default ${DEFAULT-VALUE}; port 0 chooses one).")
    String gateway;

    @Option(names = "--rpc", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:10053", description = "The locator; the other protocol services get ports of their own (default ${DEFAULT-VALUE}; port 0 chooses one).")
    String rpc;

    @Option(names = "--domain", paramLabel = "DOMAIN", defaultValue = "localhost", description = "Requests to SERVICE.DOMAIN go to SERVICE (default ${DEFAULT-VALUE}).")
    String domain;

    @Option(names = "--node-name", paramLabel = "NAME", description = "This node's name (default: the host name).")
    String nodeName;

    @Option(names = "--cluster", paramLabel = "etcd://HOST:PORT[,HOST:PORT...]", description = "Join the cluster kept in this etcd (specs and state there; this node's lease and address under nodes/NAME); etcds:// for etcd over TLS (with --cluster-ca, --cluster-cert, --cluster-key, --cluster-token). Needs --node-name.")
    String cluster;

    @Option(names = "--advertise", paramLabel = "ADDR", description = "The address other nodes reach this one at (default: the API's bind address). Needs --cluster.")
    String advertise;

    @Option(names = "--labels", paramLabel = "KEY=VALUE", split = ",", description = "This node's labels, for placement (e.g. zone=a,disk=ssd). Needs --cluster.")
    List<String> labels;

    @Option(names = "--stop-grace", paramLabel = "DURATION", defaultValue = "5s", description = "How long an instance gets between SIGTERM and SIGKILL (default ${DEFAULT-VALUE}).")
    String stopGrace;

    @Option(names = "--default-user", paramLabel = "USER", description = "Who programs without a user: run as (default nobody; in dev mode the agent's own user).")
    String defaultUser;

    @Option(names = "--api-name", paramLabel = "NAME", split = ",", description = "A host name clients use to reach the API, besides its IP addresses, localhost and this host's name (repeatable).")
    List<String> apiNames;

    @Option(names = "--fn-pool", paramLabel = "RUNTIME=N[,...]", description = "Paused generic workers each function runtime keeps ready (default python=2,node=2,java=1; shell shares python's).")
    String fnPool;

    @Option(names = "--fn-pool-idle", paramLabel = "DURATION", description = "How long a runtime's pool stays filled without a call (default 10m).")
    String fnPoolIdle;

    @Option(names = "--allow-root", description = "Let specs run programs as root (user: root or uid 0, with an admin token).")
    boolean allowRoot;

    @Mixin
    TlsOptions tls = new TlsOptions();

    @Mixin
    ClusterOptions clusterTls = new ClusterOptions();

    @Option(names = "--train-class-cache", hidden = true, description = "Run through the agent's paths once and exit (the launcher makes its class cache so).")
    boolean trainClassCache;

    /** Makes what the options name (the version provider) without picocli's default factory. */
    private static final CommandLine.IFactory FACTORY = new CommandLine.IFactory() {
        @Override
        public <K> K create(Class<K> type) throws Exception {
            var made = type.getDeclaredConstructor();
            made.setAccessible(true);
            return made.newInstance();
        }
    };

    /** The {@code --version} line, from what the build wrote. */
    public static final class VersionLine implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {Version.line()};
        }
    }

    public static void main(String[] args) {
        StartupTrace.mark("main");
        System.exit(run(args));
    }

    /** Runs the agent with these options until the JVM shuts down; returns 2 for bad options, 1 when it cannot start. */
    public static int run(String... args) {
        CommandLine cl = new CommandLine(new AgentMain(), FACTORY);
        // every option of the agent starts with '-': a first word that does not names a command (certs), and
        // only then, or for the usage, is the command read (picocli reflects over a command when it is added)
        if (args.length > 0 && !args[0].startsWith("-") || List.of(args).contains("-h") || List.of(args).contains("--help")) {
            cl.addSubcommand(new CommandLine(new CertsCommand(), FACTORY));
        }
        return cl
                .setExecutionExceptionHandler((e, cmd, parsed) -> fail(1, e.toString()))
                .setParameterExceptionHandler((e, a) -> fail(2, e.getMessage() + System.lineSeparator() + e.getCommandLine().getUsageMessage().stripTrailing()))
                .execute(args);
    }

    @Override
    public Integer call() throws Exception {
        // Before Netty's classes load: no leak-detection sampling on every message (tests keep it on).
        System.setProperty("io.netty.leakDetection.level", System.getProperty("io.netty.leakDetection.level", "disabled"));
        // Nor its Flight Recorder events (its buffer pool's first chunk would otherwise start the JDK's event
        // registry, about a tenth of a second of the first request); -Dio.netty.jfr.enabled=true brings them back.
        System.setProperty("io.netty.jfr.enabled", System.getProperty("io.netty.jfr.enabled", "false"));
        // The API's TLS (when it serves TLS) on the JDK's engine: Armeria otherwise loads and probes BoringSSL's
        // native library at its first use, about a twentieth of a second of every start, TLS or not.
        System.setProperty("com.linecorp.armeria.tlsEngineType", System.getProperty("com.linecorp.armeria.tlsEngineType", "jdk"));
        if (trainClassCache) return CacheTraining.run();
        StartupTrace.mark("options parsed");
        AgentConfig config;
        try {
            InetSocketAddress apiAddress = AgentConfig.address("--api", api);
            InetSocketAddress gatewayAddress = AgentConfig.address("--gateway", gateway);
            config = new AgentConfig(apiAddress, gatewayAddress, AgentConfig.address("--rpc", rpc), domain, dataDir(),
                    nodeName(), Durations.parse(stopGrace), dev ? examples() : List.of(), dev, null,
                    runAs(), apiNames, tls.resolve(dev, dataDir(), apiAddress, gatewayAddress, System.out),
                    clusterTls.resolve(cluster, advertise, labels))
                    .withPools(FunctionPools.parse(fnPool, fnPoolIdle))
                    .withClusterPairForTheApi();
        } catch (IllegalArgumentException e) {
            return fail(2, e.getMessage());
        } catch (java.io.UncheckedIOException e) {
            return fail(1, e.getMessage());
        }
        StartupTrace.mark("configured");
        String warning = TlsOptions.warning(config.rpc());
        if (warning != null) System.err.println("steward: " + warning);
        Agent agent;
        try {
            agent = Agent.start(config);
        } catch (IllegalStateException | IOException e) {
            return fail(1, "cannot start the agent: " + e.getMessage());
        } catch (RuntimeException e) {
            Throwable cause = e.getCause() != null && !(e instanceof dev.steward.agent.store.StoreException) ? e.getCause() : e;
            return fail(1, "cannot start the agent: " + (cause.getMessage() != null ? cause.getMessage() : e.getMessage() != null ? e.getMessage() : cause.toString()));
        }
        // before the lines that tell a waiting caller the agent is up: a stop that follows them at once finds the hook
        CountDownLatch done = new CountDownLatch(1);
        try {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                agent.close();
                done.countDown();
            }));
        } catch (IllegalStateException stopping) { // told to stop while it started
            agent.close();
            return 0;
        }
        System.out.println("steward: agent " + Agent.VERSION + " on node " + config.nodeName() + ", data in " + config.dataDir().toAbsolutePath()
                + (config.clustered() ? ", cluster store etcd at " + String.join(",", config.cluster().endpoints()) : ""));
        System.out.println("steward: api listening on " + agent.apiUrl() + fingerprint(config.tls().api()));
        System.out.println("steward: gateway listening on " + agent.gatewayUrl() + " (" + agent.gatewayTransport() + ")" + fingerprint(config.tls().gateway()));
        System.out.println("steward: rpc (locator) listening on " + config.rpc().getHostString() + ":" + agent.rpcPort());
        System.out.println("steward: web ui at " + agent.apiUrl() + "/ui/");
        System.out.println("steward: ready in " + agent.readyIn().toMillis() + " ms");
        if (dev) System.out.println("steward: the example answers at " + agent.gatewayUrl() + "/hello/");
        System.out.flush();
        done.await();
        return 0;
    }

    /**
     * Who programs run as: {@code --default-user}, else nobody; in dev mode (your own programs on your
     * own machine) the agent's own user, root allowed. An agent that is not root cannot switch users.
     */
    private RunAs runAs() {
        boolean root = "root".equals(System.getProperty("user.name"));
        if (defaultUser == null && (dev || !root)) return new RunAs(null, dev || allowRoot);
        if (!root) throw new IllegalArgumentException("--default-user: only an agent running as root can run programs as another user");
        return new RunAs(defaultUser == null ? RunAs.NOBODY : defaultUser, allowRoot);
    }

    private static String fingerprint(dev.steward.agent.tls.TlsPair pair) {
        return pair == null ? "" : ", TLS certificate SHA-256 " + pair.fingerprint();
    }

    private Path dataDir() {
        if (dataDir != null) return dataDir;
        if (dev) return Path.of(".steward");
        return Path.of(System.getProperty("user.home"), ".local", "share", "steward");
    }

    private String nodeName() {
        if (cluster != null && nodeName == null) {
            throw new IllegalArgumentException("--cluster needs --node-name NAME: each node of a cluster is named, and the name is held by one agent at a time");
        }
        if (nodeName != null) {
            if (!Names.valid(nodeName)) throw new IllegalArgumentException("--node-name: " + Names.problem(nodeName));
            return nodeName;
        }
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }

    /**
     * Dev mode's specs: those of {@code ./examples} when the agent starts in a checkout, else those that
     * came with Steward (the launcher says where it lives), so that {@code --dev} works from any directory.
     */
    static List<Path> examples() throws IOException {
        Path dir = Path.of("examples");
        String home = System.getProperty("steward.home");
        if (!Files.isDirectory(dir) && home != null) dir = Path.of(home, "examples");
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
    }

    /** Ends the command: its message on stderr, then its exit code. */
    private static int fail(int exitCode, String message) {
        System.err.println("steward: " + message);
        return exitCode;
    }
}
