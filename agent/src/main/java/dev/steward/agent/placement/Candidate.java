package dev.steward.agent.placement;

import dev.steward.agent.cluster.NodeRecord;
import java.util.Map;
import java.util.Objects;

/** A live node as the scheduler sees it: its labels, what it has in all, and whether it is drained (it takes nothing new). */
public record Candidate(String name, Map<String, String> labels, NodeRecord.Resources total, boolean drained) {
    public Candidate {
        Objects.requireNonNull(name, "name");
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        Objects.requireNonNull(total, "total");
    }

    static Candidate of(NodeRecord r, boolean drained) {
        return new Candidate(r.name(), r.labels(), r.total(), drained);
    }
}
