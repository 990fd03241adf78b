package dev.steward.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code steward job}: run-to-completion programs. */
@Command(name = "job", mixinStandardHelpOptions = true, description = "Run jobs.")
final class JobCommand extends CommandGroup {
}
