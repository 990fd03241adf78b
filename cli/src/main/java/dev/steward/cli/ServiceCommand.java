package dev.steward.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code steward service}: the registry's commands. */
@Command(addMethodSubcommands = false, name = "service", mixinStandardHelpOptions = true, description = "Register, start, stop, query and modify services.")
final class ServiceCommand extends CommandGroup {
}
