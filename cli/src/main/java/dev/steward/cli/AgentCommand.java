package dev.steward.cli;

import java.lang.management.ManagementFactory;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

/**
 * {@code steward agent} when the CLI's jar is run by hand: the agent is not on the CLI's classpath,
 * so this runs the agent's own entry point in a JVM of its own, from the agent's jar and libraries
 * built beside this CLI ({@code agent/target/steward-agent.jar} and {@code agent/target/lib} in the
 * checkout), and ends with its exit code. {@code ./steward agent} runs that entry point directly.
 */
@Command(name = "agent", description = "Run the agent.")
final class AgentCommand implements java.util.concurrent.Callable<Integer> {
    static final String MAIN = "dev.steward.agent.main.AgentMain";

    /** Every argument, options included, goes to the agent unparsed: it owns them, their help and their errors. */
    @Unmatched List<String> args = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        Path jar = agentJar();
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments()); // the JVM options this CLI was given
        cmd.addAll(List.of("-cp", jar + ":" + jar.resolveSibling("lib") + "/*", MAIN));
        cmd.addAll(args);
        Process agent = new ProcessBuilder(cmd).inheritIO().start();
        // Stopping this JVM (SIGINT, SIGTERM) stops the agent and waits for it, as a stopped agent does.
        Thread stop = new Thread(() -> {
            agent.destroy();
            try {
                agent.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Runtime.getRuntime().addShutdownHook(stop);
        int code = agent.waitFor();
        try {
            Runtime.getRuntime().removeShutdownHook(stop);
        } catch (IllegalStateException shuttingDown) {
            // the hook is already running
        }
        return code;
    }

    /** The agent's jar, in the checkout this CLI was built in. */
    private static Path agentJar() {
        Path here;
        try {
            here = Path.of(AgentCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toAbsolutePath();
        } catch (URISyntaxException | RuntimeException e) {
            throw new CliException(1, "cannot find the agent: " + e.getMessage());
        }
        for (Path dir = here; dir != null; dir = dir.getParent()) {
            Path jar = dir.resolve("agent/target/steward-agent.jar");
            if (Files.isRegularFile(jar) && Files.isDirectory(jar.resolveSibling("lib"))) return jar;
        }
        throw new CliException(1, "cannot find the agent: no agent/target/steward-agent.jar and agent/target/lib above " + here
                + "; run the agent with ./steward agent from the repository, which builds it");
    }
}
