package dev.steward.cli;

import com.fasterxml.jackson.databind.JsonNode;

/** An open instance of a service with parts, as {@code service query UUID} prints it: its state, each part's and its last log lines. */
final class InstanceDetail {
    private InstanceDetail() {}

    static String text(JsonNode v) {
        StringBuilder b = new StringBuilder();
        String reason = v.path("reason").asText("");
        b.append(v.path("uuid").asText()).append("  ").append(v.path("service").asText()).append("  ").append(v.path("state").asText())
                .append(reason.isEmpty() ? "" : " (" + reason + ")").append('\n');
        b.append("  owner ").append(v.path("owner").asText()).append(", opened ").append(v.path("opened").asText()).append('\n');
        b.append("  ").append(v.path("url").asText()).append('\n');
        v.path("parts").properties().forEach(p -> {
            int restarts = v.path("restarts").path(p.getKey()).asInt();
            b.append(String.format("  %-16s %s%s%n", p.getKey(), p.getValue().asText(), restarts == 0 ? "" : ", started again " + restarts + "x"));
            for (JsonNode line : v.path("logs").path(p.getKey())) b.append("    | ").append(line.asText()).append('\n');
        });
        return b.toString();
    }
}
