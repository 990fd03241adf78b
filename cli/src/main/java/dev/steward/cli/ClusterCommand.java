package dev.steward.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code steward cluster nodes}: the nodes of the agent's cluster (an agent alone shows itself). */
@Command(addMethodSubcommands = false, name = "cluster", mixinStandardHelpOptions = true, description = "The cluster the agent belongs to.")
final class ClusterCommand extends CommandGroup {

    @Command(addMethodSubcommands = false, name = "nodes", mixinStandardHelpOptions = true,
            description = "List the nodes holding a lease: name, address, labels, free/total capacity, instances, lease age, "
                    + "the round trip it measured to each other node, and which leads the scheduler or is drained.")
    static final class NodesCommand implements java.util.concurrent.Callable<Integer> {
        @Mixin Common common;

        @Override
        public Integer call() {
            JsonNode list = common.client().get("/v1/cluster/nodes");
            if (common.json) {
                common.printJson(list);
                return 0;
            }
            Table t = new Table("NAME", "ADDRESS", "LABELS", "CPU FREE/TOTAL", "MEMORY FREE/TOTAL", "PIDS FREE/TOTAL", "INSTANCES", "LEASE AGE", "RTT", "ROLE");
            for (JsonNode n : list) {
                JsonNode free = n.path("capacity").path("free");
                JsonNode total = n.path("capacity").path("total");
                t.row(n.path("name").asText(), n.path("address").path("api").asText(), labels(n.path("labels")),
                        number(free.path("cpu").asDouble()) + "/" + number(total.path("cpu").asDouble()),
                        bytes(free.path("memory").asLong()) + "/" + bytes(total.path("memory").asLong()),
                        free.path("pids").asLong() + "/" + total.path("pids").asLong(),
                        n.path("instances").asText(), Math.round(n.path("lease-age").asDouble()) + "s", rtt(n.path("rtt")), role(n));
            }
            System.out.print(t.render());
            return 0;
        }

        /** "leader", "drained", both, or "-". */
        static String role(JsonNode n) {
            java.util.List<String> out = new java.util.ArrayList<>();
            if (n.path("leader").asBoolean()) out.add("leader");
            if (n.path("drained").asBoolean()) out.add("drained");
            return out.isEmpty() ? "-" : String.join(",", out);
        }

        /** The round trips a node measured: {@code b=0.08ms,c=0.1ms}, or "-". */
        static String rtt(JsonNode rtt) {
            java.util.List<String> out = new java.util.ArrayList<>();
            rtt.fields().forEachRemaining(e -> out.add(e.getKey() + "=" + e.getValue().asDouble() + "ms"));
            return out.isEmpty() ? "-" : String.join(",", out);
        }

        static String labels(JsonNode labels) {
            java.util.List<String> out = new java.util.ArrayList<>();
            labels.fields().forEachRemaining(e -> out.add(e.getKey() + "=" + e.getValue().asText()));
            return out.isEmpty() ? "-" : String.join(",", out);
        }

        static String number(double d) {
            return d == Math.rint(d) ? Long.toString((long) d) : String.format(java.util.Locale.ROOT, "%.1f", d);
        }

        /** Bytes in the unit specs use (Ki, Mi, Gi). */
        static String bytes(long b) {
            String[] units = {"", "Ki", "Mi", "Gi", "Ti"};
            double v = b;
            int u = 0;
            while (v >= 1024 && u < units.length - 1) {
                v /= 1024;
                u++;
            }
            return number(Math.round(v * 10) / 10.0) + units[u];
        }
    }
}
