package dev.steward.cli;


/** A command that only groups subcommands: run alone, it prints its usage and exits with 2. */
abstract class CommandGroup implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.err);
        throw new CliException(2, "a command is required");
    }
}
