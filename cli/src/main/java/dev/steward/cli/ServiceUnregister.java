package dev.steward.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code steward service unregister NAME}. */
@Command(addMethodSubcommands = false, name = "unregister", mixinStandardHelpOptions = true, description = "Stop a service and forget its definition.")
final class ServiceUnregister implements java.util.concurrent.Callable<Integer> {
    @Mixin Common common;

    @Parameters(paramLabel = "NAME")
    String name;

    @Override
    public Integer call() {
        return common.delete("services", name, "unregistered");
    }
}
