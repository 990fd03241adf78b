package dev.steward.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code steward status}: the agent and its services at a glance. */
@Command(addMethodSubcommands = false, name = "status", mixinStandardHelpOptions = true, description = "Show the agent and its services at a glance.")
final class StatusCommand implements java.util.concurrent.Callable<Integer> {
    @Mixin Common common;

    @Override
    public Integer call() {
        ApiClient c = common.client();
        JsonNode agent = c.get("/v1/agent");
        JsonNode services = c.get("/v1/services");
        if (common.json) {
            var out = Json.object();
            out.set("agent", agent);
            out.set("services", services);
            common.printJson(out);
            return 0;
        }
        int available = 0;
        int disabled = 0;
        for (JsonNode s : services) {
            if (s.path("state").asText().equals("available")) available++;
            if (s.path("state").asText().equals("disabled")) disabled++;
        }
        System.out.println("agent " + agent.path("version").asText() + " on " + agent.path("node").asText() + ", pid "
                + agent.path("pid").asLong() + ", since " + agent.path("started").asText());
        System.out.println("api " + agent.path("listeners").path("api").asText() + ", data " + agent.path("data-dir").asText());
        System.out.println(services.size() + " services: " + available + " available, " + disabled + " disabled");
        System.out.println();
        System.out.print(Printer.list(services));
        return 0;
    }
}
