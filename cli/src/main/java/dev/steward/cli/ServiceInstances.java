package dev.steward.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code steward service instances NAME}: the open instances of a service with parts. */
@Command(addMethodSubcommands = false, name = "instances", mixinStandardHelpOptions = true, description = "List the open instances of a service with parts.")
final class ServiceInstances implements java.util.concurrent.Callable<Integer> {
    @Mixin Common common;

    @Parameters(paramLabel = "NAME")
    String name;

    @Override
    public Integer call() {
        JsonNode list = common.client().get("/v1/services/" + NameArg.check(name) + "/opened");
        if (common.json) {
            common.printJson(list);
            return 0;
        }
        System.out.print(table(list));
        return 0;
    }

    /** The open instances, one a line: UUID, state, owner, URL (also in {@code service query NAME}). */
    static String table(JsonNode list) {
        StringBuilder out = new StringBuilder(String.format("%-36s  %-9s  %-12s  %s%n", "UUID", "STATE", "OWNER", "URL"));
        for (JsonNode v : list) {
            out.append(String.format("%-36s  %-9s  %-12s  %s%n", v.path("uuid").asText(), v.path("state").asText(), v.path("owner").asText(),
                    v.path("url").asText()));
        }
        return out.toString();
    }
}
