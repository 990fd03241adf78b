package dev.steward.cli;

import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code steward service release NAME}: gives back a reference taken with {@code use}. */
@Command(name = "release", mixinStandardHelpOptions = true, description = "Release a reference (an on-demand service stops at the last one).")
final class ServiceRelease implements java.util.concurrent.Callable<Integer> {
    @Mixin Common common;

    @Parameters(paramLabel = "NAME")
    String name;

    @Override
    public Integer call() {
        var v = common.client().call("POST", "/v1/services/" + NameArg.check(name) + "/release", null, Map.of());
        if (common.json) common.printJson(v);
        else System.out.println(Printer.summary(v) + ", " + v.path("references").asInt() + " reference(s) left");
        return 0;
    }
}
