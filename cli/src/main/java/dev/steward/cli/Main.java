package dev.steward.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code steward}: the command line. */
@Command(name = "steward", mixinStandardHelpOptions = true, version = "steward " + dev.steward.model.Version.CURRENT,
        description = "Keeps programs running: services, jobs, apps and functions.",
        subcommands = {AgentCommand.class, ServiceCommand.class, ApplyCommand.class, JobCommand.class, AppCommand.class, ProfileCommand.class, RunlistCommand.class, StatusCommand.class,
                TokenCommand.class, LoginCommand.class, LoginCommand.Logout.class, LoginCommand.WhoAmI.class, AuditCommand.class,
                ClusterCommand.class})
public final class Main implements Runnable {

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs a command line and returns its exit code: 0 ok, 1 failure, 2 usage or invalid input. */
    public static int run(String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof CliException c) {
                System.err.println("steward: " + c.getMessage());
                return c.exitCode();
            }
            System.err.println("steward: " + e);
            return 1;
        });
        cl.setParameterExceptionHandler((e, a) -> {
            System.err.println("steward: " + e.getMessage());
            e.getCommandLine().usage(System.err);
            return 2;
        });
        return cl.execute(args);
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.err);
        throw new CliException(2, "a command is required");
    }
}
