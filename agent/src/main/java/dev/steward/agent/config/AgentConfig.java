package dev.steward.agent.config;

import dev.steward.agent.isolate.RunAs;
import dev.steward.agent.tls.TlsPair;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How the agent runs: where it listens, where it keeps its data, and which specs it applies at start
 * (dev mode applies the examples); with {@code cluster}, the etcd it shares with the other nodes.
 */
public record AgentConfig(InetSocketAddress api, InetSocketAddress gateway, InetSocketAddress rpc, String domain, Path dataDir, String nodeName,
                          Duration stopGrace, List<Path> applyAtStart, boolean dev, String dockerHost,
                          RunAs runAs, List<String> apiNames, Tls tls, Cluster cluster, FunctionPools pools) {
    public AgentConfig {
        if (pools == null) pools = FunctionPools.DEFAULT;
        Objects.requireNonNull(api, "api");
        Objects.requireNonNull(gateway, "gateway");
        Objects.requireNonNull(rpc, "rpc");
        if (domain == null || !domain.matches("[a-z0-9.-]{1,253}")) throw new IllegalArgumentException("--domain: '" + domain + "' is not a domain name");
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(nodeName, "nodeName");
        applyAtStart = List.copyOf(applyAtStart);
        if (dockerHost == null) dockerHost = defaultDockerHost();
        Objects.requireNonNull(runAs, "runAs");
        apiNames = apiNames == null ? List.of() : List.copyOf(apiNames);
        for (String n : apiNames) {
            if (!n.matches("[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?")) throw new IllegalArgumentException("--api-name: '" + n + "' is not a host name");
        }
        if (tls == null) tls = Tls.NONE;
        tls.check(api, rpc);
        if (cluster != null && !nodeName.matches("[a-z0-9][a-z0-9-]{0,62}")) {
            throw new IllegalArgumentException("--node-name: '" + nodeName + "' (expected: [a-z0-9][a-z0-9-]{0,62}, unique in the cluster)");
        }
    }

    /** An agent alone: SQLite in its data dir, no cluster. */
    public AgentConfig(InetSocketAddress api, InetSocketAddress gateway, InetSocketAddress rpc, String domain, Path dataDir, String nodeName,
                       Duration stopGrace, List<Path> applyAtStart, boolean dev, String dockerHost, RunAs runAs, List<String> apiNames, Tls tls) {
        this(api, gateway, rpc, domain, dataDir, nodeName, stopGrace, applyAtStart, dev, dockerHost, runAs, apiNames, tls, null, null);
    }

    /** An agent with the default warm pools of functions. */
    public AgentConfig(InetSocketAddress api, InetSocketAddress gateway, InetSocketAddress rpc, String domain, Path dataDir, String nodeName,
                       Duration stopGrace, List<Path> applyAtStart, boolean dev, String dockerHost, RunAs runAs, List<String> apiNames, Tls tls,
                       Cluster cluster) {
        this(api, gateway, rpc, domain, dataDir, nodeName, stopGrace, applyAtStart, dev, dockerHost, runAs, apiNames, tls, cluster, null);
    }

    /** This configuration with the functions' warm pools sized so. */
    public AgentConfig withPools(FunctionPools pools) {
        return new AgentConfig(api, gateway, rpc, domain, dataDir, nodeName, stopGrace, applyAtStart, dev, dockerHost, runAs, apiNames, tls, cluster, pools);
    }

    /** Whether the agent is one node of a cluster (its store is etcd). */
    public boolean clustered() {
        return cluster != null;
    }

    /** This configuration as a node of {@code cluster}. */
    public AgentConfig withCluster(Cluster cluster) {
        return new AgentConfig(api, gateway, rpc, domain, dataDir, nodeName, stopGrace, applyAtStart, dev, dockerHost, runAs, apiNames, tls, cluster, pools);
    }

    /** This configuration with its programs run as {@code runAs}. */
    public AgentConfig withRunAs(RunAs runAs) {
        return new AgentConfig(api, gateway, rpc, domain, dataDir, nodeName, stopGrace, applyAtStart, dev, dockerHost, runAs, apiNames, tls, cluster, pools);
    }

    /** This configuration under another node name. */
    public AgentConfig withNodeName(String name) {
        return new AgentConfig(api, gateway, rpc, domain, dataDir, name, stopGrace, applyAtStart, dev, dockerHost, runAs, apiNames, tls, cluster, pools);
    }

    /**
     * TLS and exposure: the API's pair (null: plain HTTP, on loopback only), the gateway's (null: plain
     * HTTP), and whether the RPC port may bind beyond loopback (its protocol has no authentication).
     */
    public record Tls(TlsPair api, TlsPair gateway, boolean rpcPublic) {
        public static final Tls NONE = new Tls(null, null, false);

        /** Refuses an API beyond loopback without TLS, and an RPC port beyond loopback without {@code rpcPublic}. */
        void check(InetSocketAddress apiAddress, InetSocketAddress rpcAddress) {
            if (api == null && !loopback(apiAddress)) {
                throw new IllegalArgumentException("--api " + text(apiAddress) + " is beyond loopback, where the API needs TLS:"
                        + " give --tls-cert FILE and --tls-key FILE (with --dev a self-signed pair is made)");
            }
            if (!rpcPublic && !loopback(rpcAddress)) {
                throw new IllegalArgumentException("--rpc " + text(rpcAddress) + " is beyond loopback, and the RPC port speaks the"
                        + " unauthenticated Cocaine protocol: add --rpc-public to bind it there anyway");
            }
        }

        /** Whether {@code a} is a loopback address (a name that does not resolve is not). */
        public static boolean loopback(InetSocketAddress a) {
            return a.getAddress() != null && a.getAddress().isLoopbackAddress();
        }

        public static String text(InetSocketAddress a) {
            String host = a.getHostString();
            return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
        }
    }

    /** This configuration with the API, the gateway and the RPC port on {@code host}, their ports chosen by the system. */
    public AgentConfig listeningOn(String host) {
        return new AgentConfig(new InetSocketAddress(host, 0), new InetSocketAddress(host, 0), new InetSocketAddress(host, 0), domain, dataDir,
                nodeName, stopGrace, applyAtStart, dev, dockerHost, runAs, apiNames, tls, cluster, pools);
    }

    /**
     * In a cluster over TLS, an API given no pair of its own serves HTTPS with the node's cluster pair (signed by the
     * cluster's CA, naming the node, localhost, loopback and the hosts it was made for), so that the other agents, which
     * trust that CA, reach it; otherwise this configuration as it is.
     */
    public AgentConfig withClusterPairForTheApi() {
        if (cluster == null || !cluster.secure() || tls.api() != null) return this;
        return withTls(new Tls(cluster.tls().pair(), tls.gateway(), tls.rpcPublic()));
    }

    /** This configuration with {@code tls} (checked again). */
    public AgentConfig withTls(Tls tls) {
        return new AgentConfig(api, gateway, rpc, domain, dataDir, nodeName, stopGrace, applyAtStart, dev, dockerHost, runAs, apiNames, tls, cluster, pools);
    }

    /** An agent on loopback with system-chosen ports, for tests and embedding. */
    public static AgentConfig loopback(Path dataDir, String nodeName, Duration stopGrace, boolean dev, String dockerHost) {
        return new AgentConfig(new InetSocketAddress("127.0.0.1", 0), new InetSocketAddress("127.0.0.1", 0),
                new InetSocketAddress("127.0.0.1", 0), "localhost", dataDir,
                nodeName, stopGrace, List.of(), dev, dockerHost, RunAs.AGENT_USER, List.of(), Tls.NONE);
    }

    /** $DOCKER_HOST, else the first engine socket that exists: Podman's, then Docker's. */
    public static String defaultDockerHost() {
        String env = System.getenv("DOCKER_HOST");
        if (env != null && !env.isBlank()) return env;
        for (String s : List.of("/run/podman/podman.sock", "/var/run/docker.sock")) {
            if (java.nio.file.Files.exists(Path.of(s))) return "unix://" + s;
        }
        return "unix:///var/run/docker.sock";
    }

    /** Parses {@code HOST:PORT} strictly; port 0 lets the system choose. */
    public static InetSocketAddress address(String option, String text) {
        int colon = text == null ? -1 : text.lastIndexOf(':');
        if (colon <= 0) throw new IllegalArgumentException(option + ": '" + text + "' (expected: HOST:PORT)");
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
        int port;
        try {
            port = Integer.parseInt(text.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + ": '" + text + "' has no port number (expected: HOST:PORT)");
        }
        if (port < 0 || port > 65535) throw new IllegalArgumentException(option + ": port " + port + " (expected: 0-65535)");
        return new InetSocketAddress(host, port);
    }
}
