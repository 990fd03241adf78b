package dev.steward.agent.mesh;

import dev.steward.agent.Json;
import dev.steward.agent.store.InstanceRecord;
import dev.steward.agent.traffic.Endpoint;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The ready instances other nodes run, by service, from their instance records
 * ({@code local/NODE/instances/SERVICE/ID}): only records of live nodes (holding {@code nodes/NODE}) that say
 * ready, with an address, and not paused. Pure.
 */
final class Elsewhere {
    private Elsewhere() {}

    /**
     * @param records raw instance keys to their records
     * @param live    the nodes that hold their lease
     * @param self    this node, whose own instances are not elsewhere
     */
    static Map<String, List<Endpoint>> table(Map<String, String> records, Set<String> live, String self) {
        Map<String, List<Endpoint>> out = new HashMap<>();
        records.forEach((key, value) -> {
            String[] p = key.split("/");
            if (p.length != 5 || !p[0].equals("local") || !p[2].equals("instances")) return;
            String node = p[1];
            if (node.equals(self) || !live.contains(node)) return;
            InstanceRecord r = Json.read(value, InstanceRecord.class);
            if (!r.ready() || r.paused() || r.host() == null || r.host().isEmpty() || r.port() <= 0) return;
            out.computeIfAbsent(r.service(), s -> new ArrayList<>()).add(new Endpoint(r.id(), r.host(), r.port(), node));
        });
        out.replaceAll((service, list) -> List.copyOf(list));
        return Map.copyOf(out);
    }
}
