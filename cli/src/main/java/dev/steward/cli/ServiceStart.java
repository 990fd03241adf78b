package dev.steward.cli;

import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code steward service start NAME [--instances N]}. */
@Command(addMethodSubcommands = false, name = "start", mixinStandardHelpOptions = true, description = "Start a service (and enable it again after a failure limit).")
final class ServiceStart implements java.util.concurrent.Callable<Integer> {
    @Mixin Common common;
    @Mixin Waiting waiting;

    @Parameters(paramLabel = "NAME")
    String name;

    @Option(names = "--instances", paramLabel = "N", description = "How many instances.")
    Integer instances;

    @Override
    public Integer call() {
        if (instances != null && instances < 0) throw new CliException(2, "--instances: " + instances + " (expected: 0 or more)");
        ApiClient c = common.client();
        String q = instances == null ? "" : "?instances=" + instances;
        var v = c.call("POST", "/v1/services/" + NameArg.check(name) + "/start" + q, null, Map.of());
        return waiting.finish(common, c, v);
    }
}
