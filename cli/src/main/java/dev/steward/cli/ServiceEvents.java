package dev.steward.cli;

import java.io.IOException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code steward service events UUID [-f]}: an open instance's steps and states, each step with its duration. */
@Command(addMethodSubcommands = false, name = "events", mixinStandardHelpOptions = true, description = "Show an open instance's steps (with their durations) and states; -f follows them.")
final class ServiceEvents implements java.util.concurrent.Callable<Integer> {
    @Mixin Common common;

    @Parameters(paramLabel = "UUID")
    String uuid;

    @Option(names = {"-f", "--follow"}, description = "Keep printing events as they happen.")
    boolean follow;

    @Override
    public Integer call() throws IOException {
        NameArg.uuid(uuid);
        return EventsCommand.print(common, follow, "&instance=" + uuid);
    }
}
