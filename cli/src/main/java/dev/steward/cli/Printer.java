package dev.steward.cli;

import com.fasterxml.jackson.databind.JsonNode;

/** Human-readable forms of the agent's answers. */
final class Printer {
    private Printer() {}

    /** Prints a service view as JSON or as its one-line summary; exit code 0. */
    static int show(Common common, JsonNode v) {
        if (common.json) common.printJson(v);
        else System.out.println(summary(v));
        return 0;
    }

    static String summary(JsonNode v) {
        int running = 0;
        int paused = 0;
        StringBuilder ports = new StringBuilder();
        for (JsonNode i : v.path("instances")) {
            if (i.path("state").asText().equals("running")) running++;
            if (i.path("state").asText().equals("paused")) paused++;
            if (i.path("port").asInt() > 0 && ports.length() < 200) ports.append(ports.length() == 0 ? "" : ", ").append("127.0.0.1:").append(i.path("port").asInt());
        }
        String reason = v.path("reason").asText("");
        return v.path("name").asText() + ": " + v.path("state").asText() + ", " + v.path("health").asText() + ", "
                + running + " running" + (paused > 0 ? ", " + paused + " paused" : "") + (ports.length() > 0 ? " on " + ports : "") + (reason.isEmpty() ? "" : " (" + reason + ")");
    }

    static String list(JsonNode list) {
        Table t = new Table("NAME", "KIND", "POLICY", "STATE", "HEALTH", "INSTANCES", "RESTARTS");
        for (JsonNode v : list) {
            int running = 0;
            int restarts = 0;
            for (JsonNode i : v.path("instances")) {
                if (i.path("state").asText().equals("running")) running++;
                restarts += i.path("restarts").asInt();
            }
            String instances = running + "/" + v.path("wanted").asInt();
            if (v.has("opened")) { // a service with parts: its open instances, those running of them
                running = 0;
                for (JsonNode o : v.path("opened")) if (o.path("state").asText().equals("running")) running++;
                instances = running + "/" + v.path("opened").size() + " open";
            }
            t.row(v.path("name").asText(), v.path("kind").asText(), v.path("policy").asText(), v.path("state").asText(),
                    v.path("health").asText(), instances, restarts);
        }
        return t.render();
    }

    static String detail(JsonNode v) {
        StringBuilder sb = new StringBuilder();
        line(sb, "name", v.path("name").asText());
        line(sb, "kind", v.path("kind").asText());
        line(sb, "policy", v.path("policy").asText() + (v.path("custom").asBoolean() ? " (custom: not stored)" : ""));
        line(sb, "state", v.path("state").asText() + (v.path("reason").asText("").isEmpty() ? "" : " (" + v.path("reason").asText() + ")"));
        line(sb, "health", v.path("health").asText());
        line(sb, "owner", v.path("owner").asText());
        line(sb, "uuid", v.path("uuid").asText());
        line(sb, "wanted", v.path("wanted").asText() + " instance(s), " + v.path("references").asInt() + " reference(s)");
        if (v.path("placed").size() > 0 || !v.path("pending").asText("").isEmpty()) {
            java.util.List<String> on = new java.util.ArrayList<>();
            v.path("placed").fields().forEachRemaining(e -> on.add(e.getKey() + " " + e.getValue().asInt()));
            String pending = v.path("pending").asText("");
            line(sb, "placement", (on.isEmpty() ? "none" : String.join(", ", on)) + (pending.isEmpty() ? "" : "; pending: " + pending));
        }
        JsonNode s = v.path("statistics");
        line(sb, "statistics", "starts " + s.path("starts").asLong() + ", failures " + s.path("failures").asLong()
                + ", uptime " + s.path("uptime-seconds").asLong() + "s");
        if (!s.path("last-exit").asText("").isEmpty()) line(sb, "last exit", s.path("last-exit-reason").asText());
        sb.append('\n');
        if (v.has("opened")) { // a service with parts runs nothing of its own: its open instances
            sb.append(ServiceInstances.table(v.path("opened")));
            return sb.toString();
        }
        Table t = new Table("INSTANCE", "NODE", "STATE", "HEALTH", "PID", "PORT", "STARTED", "RESTARTS", "CPU", "MEMORY", "PEAK", "PIDS", "REASON");
        for (JsonNode i : v.path("instances")) {
            JsonNode u = i.path("usage");
            t.row(i.path("id").asText(), i.path("node").asText("-"), i.path("state").asText(), i.path("health").asText(), i.path("pid").asLong(),
                    i.path("port").asInt() == 0 ? "-" : i.path("port").asInt(), i.path("started").asText("-"),
                    i.path("restarts").asInt(), cpu(u.path("cpu-nanos").asLong(-1)), bytes(u.path("memory-bytes").asLong(-1)),
                    bytes(u.path("memory-peak-bytes").asLong(-1)), u.path("pids").asLong(-1) < 0 ? "-" : u.path("pids").asLong(),
                    i.path("reason").asText(""));
        }
        sb.append(t.render());
        return sb.toString();
    }

    /** What the agent took and does not use (Cocaine 0.11's fields), on stderr. */
    static void warnings(JsonNode v) {
        for (JsonNode w : v.path("warnings")) System.err.println("steward: warning: " + w.asText());
    }

    static String cpu(long nanos) {
        return nanos < 0 ? "-" : decimal(nanos, 1_000_000_000L, 2) + "s";
    }

    static String bytes(long b) {
        if (b < 0) return "-";
        if (b < 1 << 20) return (b >> 10) + "Ki";
        return decimal(b, 1L << 20, 1) + "Mi";
    }

    /**
     * {@code value / unit} rounded to {@code places} decimals (1 or 2), with a point whatever the locale:
     * without {@link String#format}, whose first use (a locale's symbols, the decimal conversion) cost a
     * short command a tenth of its start.
     */
    static String decimal(long value, long unit, int places) {
        long scale = places == 1 ? 10 : 100;
        long scaled = Math.round(value * (double) scale / unit);
        String fraction = Long.toString(scaled % scale);
        return scaled / scale + "." + (fraction.length() < places ? "0" + fraction : fraction);
    }

    private static void line(StringBuilder sb, String key, String value) {
        String label = key + ":";
        sb.append(label).append(" ".repeat(Math.max(1, 12 - label.length()))).append(value).append(System.lineSeparator());
    }
}
