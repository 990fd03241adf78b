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
 * beside this CLI ({@code agent/target/steward-agent.jar} and {@code agent/target/lib} in the
 * checkout, {@code lib/agent} when installed), and ends with its exit code. {@code ./steward agent} runs that entry point directly.
 */
@Command(addMethodSubcommands = false, name = "agent", description = "Run the agent.")
final class AgentCommand implements java.util.concurrent.Callable<Integer> {
    static final String MAIN = "dev.steward.agent.main.AgentMain";

    /** Every argument, options included, goes to the agent unparsed: it owns them, their help and their errors. */
    @Unmatched List<String> args = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments()); // the JVM options this CLI was given
        cmd.addAll(List.of("-cp", agentClasspath(), MAIN));
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

    /**
     * The agent's classpath: in the checkout this CLI was built in, its jar and {@code lib}; in an
     * installed distribution, {@code lib/agent} beside this CLI's {@code lib/cli}.
     */
    private static String agentClasspath() {
        Path here;
        try {
            here = Path.of(AgentCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toAbsolutePath();
        } catch (URISyntaxException | RuntimeException e) {
            throw new CliException(1, "cannot find the agent: " + e.getMessage());
        }
        for (Path dir = here; dir != null; dir = dir.getParent()) {
            Path jar = dir.resolve("agent/target/steward-agent.jar");
            if (Files.isRegularFile(jar) && Files.isDirectory(jar.resolveSibling("lib"))) return jar + ":" + jar.resolveSibling("lib") + "/*";
            Path installed = dir.resolve("lib/agent");
            if (Files.isDirectory(installed) && Files.isDirectory(dir.resolve("lib/cli"))) return installed + "/*";
        }
        throw new CliException(1, "cannot find the agent: no agent/target/steward-agent.jar or lib/agent above " + here
                + "; run the agent with ./steward agent from the repository, which builds it");
    }
}
