package dev.steward.cli;

import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code steward service release NAME}: gives back a reference taken with {@code use}. */
@Command(addMethodSubcommands = false, name = "release", mixinStandardHelpOptions = true, description = "Release a reference (an on-demand service stops at the last one).")
final class ServiceRelease implements java.util.concurrent.Callable<Integer> {
    @Mixin Common common;

    @Parameters(paramLabel = "NAME")
    String name;

    @Override
    public Integer call() {
        ApiClient c = common.client();
        com.fasterxml.jackson.databind.JsonNode v;
        try {
            v = c.call("POST", "/v1/services/" + NameArg.check(name) + "/release", null, Map.of());
        } catch (CliException e) {
            if (e.status() != 409) throw e;
            // nothing held: releasing changes nothing, which is what was asked
            v = c.get("/v1/services/" + name);
            if (common.json) common.printJson(v);
            else System.out.println(name + ": no reference to release, nothing done (" + v.path("state").asText() + ")");
            return 0;
        }
        if (common.json) common.printJson(v);
        else System.out.println(Printer.summary(v) + ", " + v.path("references").asInt() + " reference(s) left");
        return 0;
    }
}
