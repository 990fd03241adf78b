package dev.steward.agent;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** A test of dynamic services against an agent in the test JVM, whose events it collects; skipped where they cannot run. */
abstract class DynamicAgentTest {
    @TempDir Path tmp;
    TestAgent agent;
    final List<String> events = new java.util.concurrent.CopyOnWriteArrayList<>();

    @BeforeEach
    void startAgent() throws Exception {
        agent = DynamicRig.agent(tmp.resolve("data"), events);
    }

    @AfterEach
    void stopAgent() throws Exception {
        DynamicRig.stop(agent, tmp.resolve("data"));
    }
}
