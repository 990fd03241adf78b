package dev.steward.cli;

import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code steward service stop NAME}: waits until every instance has stopped. */
@Command(addMethodSubcommands = false, name = "stop", mixinStandardHelpOptions = true, description = "Stop a service's instances.")
final class ServiceStop implements java.util.concurrent.Callable<Integer> {
    @Mixin Common common;
    @Mixin Waiting waiting;

    @Parameters(paramLabel = "NAME")
    String name;

    @Override
    public Integer call() {
        ApiClient c = common.client();
        com.fasterxml.jackson.databind.JsonNode res;
        try {
            res = c.call("POST", "/v1/services/" + NameArg.check(name) + "/stop", null, Map.of());
        } catch (CliException e) {
            if (e.status() != 409) throw e;
            // stopping what is stopped is done already: say so and succeed, as systemctl stop does
            var now = c.get("/v1/services/" + name);
            if (common.json) common.printJson(now);
            else System.out.println(name + ": already " + now.path("state").asText() + ", nothing to stop");
            return 0;
        }
        var v = res.path("service");
        if (!waiting.noWait && !v.path("custom").asBoolean()) v = Wait.stopped(c, name, waiting.timeout());
        if (common.json) common.printJson(v);
        else System.out.println(name + ": " + (v.path("custom").asBoolean() ? "stopped and removed (custom)" : v.path("state").asText()));
        return 0;
    }
}
