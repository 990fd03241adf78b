package dev.steward.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code steward service query [NAME | UUID]}. */
@Command(addMethodSubcommands = false, name = "query", mixinStandardHelpOptions = true,
        description = "Show services: state, health, instances, statistics; or an open instance (UUID): its parts' states and last log lines.")
final class ServiceQuery implements java.util.concurrent.Callable<Integer> {
    @Mixin Common common;

    @Parameters(paramLabel = "NAME", arity = "0..1")
    String name;

    @picocli.CommandLine.Option(names = {"-w", "--watch"}, description = "Show it again after each change (until Ctrl-C).")
    boolean watch;

    @Override
    public Integer call() throws java.io.IOException {
        ApiClient c = common.client();
        boolean opened = NameArg.isUuid(name);
        String path = name == null ? "/v1/services" : opened ? "/v1/dynamic/" + name : "/v1/services/" + NameArg.check(name);
        print(c.get(path));
        if (!watch) return 0;
        // each event of the service (or of any, for the list) is a change: the view is read again
        c.stream("/v1/events" + (name == null ? "" : opened ? "?instance=" + name : "?service=" + name), new EventsCommand.Lines(e -> {
            if (!common.json) System.out.println("--- " + EventsCommand.Lines.describe(e));
            print(c.get(path));
        }));
        return 0;
    }

    private void print(com.fasterxml.jackson.databind.JsonNode v) {
        if (common.json && watch) System.out.println(Json.compact(v)); // one line per view while watching: JSON lines
        else if (common.json) common.printJson(v);
        else System.out.print(name == null ? Printer.list(v) : NameArg.isUuid(name) ? InstanceDetail.text(v) : Printer.detail(v));
        System.out.flush();
    }
}
