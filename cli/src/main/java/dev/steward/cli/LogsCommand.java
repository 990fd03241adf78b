package dev.steward.cli;

import java.io.IOException;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** What {@code service logs} and {@code app logs} share: a name, {@code -f}, {@code --tail N}, one id's log. */
abstract class LogsCommand implements java.util.concurrent.Callable<Integer> {
    @Mixin Common common;

    @Parameters(paramLabel = "NAME")
    String name;

    @Option(names = {"-f", "--follow"}, description = "Keep printing what is appended.")
    boolean follow;

    @Option(names = "--tail", paramLabel = "N", defaultValue = "200", description = "How many lines to start with (default ${DEFAULT-VALUE}).")
    int tail;

    /** Prints {@code /v1/KIND/NAME/logs}, only {@code id}'s when it is given as {@code param}. */
    int print(String kind, String param, String id) throws IOException {
        if (tail < 0) throw new CliException(2, "--tail: " + tail + " (expected: 0 or more)");
        if (id != null && !id.matches("[A-Za-z0-9-]{1,64}")) throw new CliException(2, "--" + param + ": '" + id + "' is not an id");
        String path = "/v1/" + kind + "/" + NameArg.check(name) + "/logs?tail=" + tail + (follow ? "&follow=true" : "")
                + (id == null ? "" : "&" + param + "=" + id);
        common.client().stream(path, System.out);
        return 0;
    }
}
