package dev.steward.cli;

import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code steward service use NAME}: an explicit reference, which starts an on-demand service. */
@Command(addMethodSubcommands = false, name = "use", mixinStandardHelpOptions = true, description = "Take a reference on a service (starts an on-demand one).")
final class ServiceUse implements java.util.concurrent.Callable<Integer> {
    @Mixin Common common;
    @Mixin Waiting waiting;

    @Parameters(paramLabel = "NAME")
    String name;

    @Override
    public Integer call() {
        ApiClient c = common.client();
        return waiting.finish(common, c, c.call("POST", "/v1/services/" + NameArg.check(name) + "/use", null, Map.of()));
    }
}
