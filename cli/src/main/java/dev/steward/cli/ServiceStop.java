package dev.steward.cli;

import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code steward service stop NAME}: waits until every instance has stopped. */
@Command(name = "stop", mixinStandardHelpOptions = true, description = "Stop a service's instances.")
final class ServiceStop implements java.util.concurrent.Callable<Integer> {
    @Mixin Common common;
    @Mixin Waiting waiting;

    @Parameters(paramLabel = "NAME")
    String name;

    @Override
    public Integer call() {
        ApiClient c = common.client();
        var res = c.call("POST", "/v1/services/" + NameArg.check(name) + "/stop", null, Map.of());
        var v = res.path("service");
        if (!waiting.noWait && !v.path("custom").asBoolean()) v = Wait.stopped(c, name, waiting.timeout());
        if (common.json) common.printJson(v);
        else System.out.println(name + ": " + (v.path("custom").asBoolean() ? "stopped and removed (custom)" : v.path("state").asText()));
        return 0;
    }
}
