package dev.steward.cli;

import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code steward service resume NAME}: thaws every paused instance. */
@Command(addMethodSubcommands = false, name = "resume", mixinStandardHelpOptions = true, description = "Thaw a service's paused instances.")
final class ServiceResume implements java.util.concurrent.Callable<Integer> {
    @Mixin Common common;

    @Parameters(paramLabel = "NAME")
    String name;

    @Override
    public Integer call() {
        return Printer.show(common, common.client().call("POST", "/v1/services/" + NameArg.check(name) + "/resume", null, Map.of()));
    }
}
