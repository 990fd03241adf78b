package dev.steward.agent;

import dev.steward.agent.config.AgentConfig;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Runs an agent in its own JVM for tests that kill it:
 * {@code TestAgentMain DATA_DIR [DOCKER_HOST|-] [CLUSTER NODE [LABELS|- [ADVERTISE]]]}; prints its API port. A node given an
 * address to advertise (a loopback one, 127.0.0.x) listens on it, and its instances too. With the system property
 * {@value #BIND} set to a host, its API (HTTPS, a self-signed pair in {@code DATA_DIR/tls}) and gateway bind there, the
 * node advertises it, and the gateway's port is printed on a second line.
 */
public final class TestAgentMain {
    static final String BIND = "steward.test.bind";

    private TestAgentMain() {}

    public static void main(String[] args) throws Exception {
        String docker = args.length > 1 && !args[1].equals("-") ? args[1] : null;
        String bind = System.getProperty(BIND);
        AgentConfig config = bind == null ? AgentConfig.loopback(Path.of(args[0]), "test-node", Duration.ofSeconds(2), false, docker) : on(bind, Path.of(args[0]), docker);
        List<String> labels = args.length > 4 && !args[4].equals("-") ? List.of(args[4].split(",")) : List.of();
        String advertise = args.length > 5 ? args[5] : bind;
        if (args.length > 3) config = config.withNodeName(args[3]).withCluster(dev.steward.agent.config.Cluster.parse(args[2], advertise, labels));
        if (args.length > 5) config = config.listeningOn(args[5]);
        Agent agent = Agent.start(config);
        System.out.println("port=" + agent.apiPort());
        if (bind != null) System.out.println("gateway=" + agent.gatewayPort());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }

    /** An agent whose API and gateway listen on {@code host}, the API over HTTPS with a pair made in the data dir. */
    private static AgentConfig on(String host, Path data, String docker) throws java.io.IOException {
        InetSocketAddress api = new InetSocketAddress(host, 0);
        var pair = dev.steward.agent.tls.SelfSigned.ensure(data.resolve("tls"), List.of(api), java.time.Clock.systemUTC()).pair();
        return new AgentConfig(api, new InetSocketAddress(host, 0), new InetSocketAddress("127.0.0.1", 0), "localhost", data, "test-node",
                Duration.ofSeconds(2), List.of(), false, docker, dev.steward.agent.isolate.RunAs.AGENT_USER, List.of(), new AgentConfig.Tls(pair, null, false));
    }
}
