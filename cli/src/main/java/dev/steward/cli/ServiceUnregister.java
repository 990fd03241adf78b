package dev.steward.cli;

import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code steward service unregister NAME}. */
@Command(name = "unregister", mixinStandardHelpOptions = true, description = "Stop a service and forget its definition.")
final class ServiceUnregister implements java.util.concurrent.Callable<Integer> {
    @Mixin Common common;

    @Parameters(paramLabel = "NAME")
    String name;

    @Override
    public Integer call() {
        var v = common.client().call("DELETE", "/v1/services/" + NameArg.check(name), null, Map.of());
        if (common.json) common.printJson(v);
        else System.out.println(name + ": unregistered");
        return 0;
    }
}
