package dev.steward.cli;

import picocli.CommandLine;

/** A command that only groups subcommands: run alone, it prints its usage and exits with 2. */
abstract class CommandGroup implements Runnable {
    @Override
    public void run() {
        new CommandLine(this).usage(System.err);
        throw new CliException(2, "a command is required");
    }
}
