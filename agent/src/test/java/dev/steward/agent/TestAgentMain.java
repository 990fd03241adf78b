package dev.steward.agent;

import dev.steward.agent.config.AgentConfig;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** Runs an agent in its own JVM for tests that kill it: {@code TestAgentMain DATA_DIR}; prints its API port. */
public final class TestAgentMain {
    private TestAgentMain() {}

    public static void main(String[] args) throws Exception {
        Agent agent = Agent.start(AgentConfig.loopback(Path.of(args[0]), "test-node", Duration.ofSeconds(2), false, args.length > 1 ? args[1] : null));
        System.out.println("port=" + agent.apiPort());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
