package dev.steward.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code steward service show NAME}: the service, its instances (node, pid, usage) and its last 20 events. */
@Command(addMethodSubcommands = false, name = "show", mixinStandardHelpOptions = true, description = "Describe a service: its state, instances and last 20 events.")
final class ServiceShow implements java.util.concurrent.Callable<Integer> {
    static final int EVENTS = 20;

    @Mixin Common common;

    @Parameters(paramLabel = "NAME")
    String name;

    @Override
    public Integer call() throws IOException {
        ApiClient c = common.client();
        JsonNode view = c.get("/v1/services/" + NameArg.check(name));
        Deque<JsonNode> last = new ArrayDeque<>();
        c.stream("/v1/events?follow=false&service=" + name, new EventsCommand.Lines(e -> {
            if (last.size() == EVENTS) last.removeFirst();
            last.addLast(e);
        }));
        if (common.json) {
            var out = Json.object();
            out.set("service", view);
            out.set("events", Json.array(last));
            common.printJson(out);
            return 0;
        }
        System.out.print(Printer.detail(view));
        System.out.println();
        System.out.println("Events (the last " + EVENTS + "):");
        if (last.isEmpty()) System.out.println("  none since the agent started");
        for (JsonNode e : last) System.out.println("  " + EventsCommand.Lines.describe(e));
        return 0;
    }
}
