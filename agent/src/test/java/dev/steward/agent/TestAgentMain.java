package dev.steward.agent;

import dev.steward.agent.config.AgentConfig;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Runs an agent in its own JVM for tests that kill it:
 * {@code TestAgentMain DATA_DIR [DOCKER_HOST|-] [CLUSTER NODE [LABELS|- [ADVERTISE]]]}; prints its API port. A node given an
 * address to advertise (a loopback one, 127.0.0.x) listens on it, and its instances too.
 */
public final class TestAgentMain {
    private TestAgentMain() {}

    public static void main(String[] args) throws Exception {
        String docker = args.length > 1 && !args[1].equals("-") ? args[1] : null;
        AgentConfig config = AgentConfig.loopback(Path.of(args[0]), "test-node", Duration.ofSeconds(2), false, docker);
        List<String> labels = args.length > 4 && !args[4].equals("-") ? List.of(args[4].split(",")) : List.of();
        String advertise = args.length > 5 ? args[5] : null;
        if (args.length > 3) config = config.withNodeName(args[3]).withCluster(dev.steward.agent.config.Cluster.parse(args[2], advertise, labels));
        if (advertise != null) config = config.listeningOn(advertise);
        Agent agent = Agent.start(config);
        System.out.println("port=" + agent.apiPort());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
