package dev.steward.cli;

import java.io.IOException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code steward service logs NAME [-f] [--instance ID] [--tail N] [--since WHEN] [--timestamps]}, also {@code steward logs NAME}. */
@Command(addMethodSubcommands = false, name = "logs", mixinStandardHelpOptions = true,
        description = "Print a service's logs, its instances' lines merged by time; -f follows them.")
final class ServiceLogs extends LogsCommand {
    @Option(names = "--instance", paramLabel = "ID", description = "Only this instance.")
    String instance;

    @Override
    public Integer call() throws IOException {
        return print("services", "instance", instance);
    }
}
