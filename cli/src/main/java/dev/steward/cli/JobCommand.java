package dev.steward.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code steward job}: run-to-completion programs. */
@Command(name = "job", mixinStandardHelpOptions = true, description = "Run jobs.", subcommands = {JobRun.class})
final class JobCommand implements Runnable {
    @Override
    public void run() {
        new CommandLine(this).usage(System.err);
        throw new CliException(2, "a command is required");
    }
}
