package dev.steward.agent;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** A fresh real agent for each test, in its own temp data dir; closed (with its instances) after. */
public abstract class AgentTestBase {
    @TempDir protected Path tmp;
    protected TestAgent agent;

    @BeforeEach
    void startAgent() throws Exception {
        agent = TestAgent.start(tmp.resolve("data"), runAs());
    }

    /** Who the agent's programs run as: its own user (root) unless a test class says otherwise. */
    protected dev.steward.agent.isolate.RunAs runAs() {
        return dev.steward.agent.isolate.RunAs.AGENT_USER;
    }

    @AfterEach
    void stopAgent() {
        agent.close();
    }
}
