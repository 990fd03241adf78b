package dev.steward.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code steward audit}: the changes asked of the agent, who asked and how each ended. */
@Command(addMethodSubcommands = false, name = "audit", mixinStandardHelpOptions = true, description = "Show the audit log: every change asked of the agent.")
final class AuditCommand implements java.util.concurrent.Callable<Integer> {
    @Mixin Common common;

    @Option(names = "--since", paramLabel = "WHEN", description = "Only since this long ago (like 1h) or this time (2026-12-02T10:00:00Z).")
    String since;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "1000", description = "At most the newest N entries (default ${DEFAULT-VALUE}).")
    int limit;

    @Override
    public Integer call() {
        String q = "?limit=" + limit + (since == null ? "" : "&since=" + URLEncoder.encode(since, StandardCharsets.UTF_8));
        JsonNode list = common.client().get("/v1/audit" + q);
        if (common.json) {
            common.printJson(list);
            return 0;
        }
        Table t = new Table("TIME", "WHO", "ACTION", "STATUS", "RESULT");
        for (JsonNode e : list) t.row(e.path("at").asText(), e.path("who").asText(), e.path("action").asText(), e.path("status").asInt(), e.path("result").asText());
        System.out.print(t.render());
        return 0;
    }
}
