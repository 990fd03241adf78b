package dev.steward.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code steward service query [NAME]}. */
@Command(name = "query", mixinStandardHelpOptions = true, description = "Show services: state, health, instances, statistics.")
final class ServiceQuery implements java.util.concurrent.Callable<Integer> {
    @Mixin Common common;

    @Parameters(paramLabel = "NAME", arity = "0..1")
    String name;

    @Override
    public Integer call() {
        ApiClient c = common.client();
        var v = name == null ? c.get("/v1/services") : c.get("/v1/services/" + NameArg.check(name));
        if (common.json) common.printJson(v);
        else System.out.print(name == null ? Printer.list(v) : Printer.detail(v));
        return 0;
    }
}
