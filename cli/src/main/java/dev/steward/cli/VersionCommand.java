package dev.steward.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.steward.model.Version;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code steward version}: this client's version and the agent's, both from their builds. */
@Command(addMethodSubcommands = false, name = "version", mixinStandardHelpOptions = true, description = "Show the client's and the agent's versions.")
final class VersionCommand implements java.util.concurrent.Callable<Integer> {
    @Mixin Common common;

    @Override
    public Integer call() {
        ObjectNode client = Json.object();
        client.put("version", Version.CURRENT);
        if (!Version.BUILT.isEmpty()) client.put("built", Version.BUILT);
        JsonNode agent;
        CliException unreachable = null;
        try {
            agent = common.client().get("/v1/agent");
        } catch (CliException e) {
            agent = null;
            unreachable = e;
        }
        if (common.json) {
            ObjectNode out = Json.object();
            out.set("client", client);
            if (agent != null) {
                ObjectNode a = Json.object();
                a.put("version", agent.path("version").asText());
                if (agent.has("built")) a.put("built", agent.path("built").asText());
                a.put("node", agent.path("node").asText());
                a.put("address", common.addr);
                out.set("agent", a);
            } else {
                out.put("agent-error", unreachable.getMessage());
            }
            common.printJson(out);
        } else {
            System.out.println("client: " + Version.CURRENT + built(client));
            if (agent != null) {
                System.out.println("agent:  " + agent.path("version").asText() + built(agent) + ", node " + agent.path("node").asText() + " at " + common.addr);
            }
        }
        if (unreachable != null) throw unreachable; // the client's line is printed; the agent's failure says why
        return 0;
    }

    private static String built(JsonNode n) {
        return n.hasNonNull("built") ? " (built " + n.path("built").asText() + ")" : "";
    }
}
