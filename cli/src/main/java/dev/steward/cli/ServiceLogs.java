package dev.steward.cli;

import java.io.IOException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code steward service logs NAME [-f] [--instance ID] [--tail N]}. */
@Command(name = "logs", mixinStandardHelpOptions = true, description = "Print a service's logs; -f follows them.")
final class ServiceLogs implements java.util.concurrent.Callable<Integer> {
    @Mixin Common common;

    @Parameters(paramLabel = "NAME")
    String name;

    @Option(names = {"-f", "--follow"}, description = "Keep printing what is appended.")
    boolean follow;

    @Option(names = "--instance", paramLabel = "ID", description = "Only this instance.")
    String instance;

    @Option(names = "--tail", paramLabel = "N", defaultValue = "200", description = "How many lines to start with (default ${DEFAULT-VALUE}).")
    int tail;

    @Override
    public Integer call() throws IOException {
        if (tail < 0) throw new CliException(2, "--tail: " + tail + " (expected: 0 or more)");
        if (instance != null && !instance.matches("[A-Za-z0-9-]{1,64}")) throw new CliException(2, "--instance: '" + instance + "' is not an instance id");
        String path = "/v1/services/" + NameArg.check(name) + "/logs?tail=" + tail + (follow ? "&follow=true" : "")
                + (instance == null ? "" : "&instance=" + instance);
        common.client().stream(path, System.out);
        return 0;
    }
}
