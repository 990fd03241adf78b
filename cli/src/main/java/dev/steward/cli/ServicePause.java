package dev.steward.cli;

import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code steward service pause NAME}: freezes every running instance. */
@Command(addMethodSubcommands = false, name = "pause", mixinStandardHelpOptions = true, description = "Freeze a service's running instances (they keep their memory).")
final class ServicePause implements java.util.concurrent.Callable<Integer> {
    @Mixin Common common;

    @Parameters(paramLabel = "NAME")
    String name;

    @Override
    public Integer call() {
        return Printer.show(common, common.client().call("POST", "/v1/services/" + NameArg.check(name) + "/pause", null, Map.of()));
    }
}
