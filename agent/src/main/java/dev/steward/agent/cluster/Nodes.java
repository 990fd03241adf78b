package dev.steward.agent.cluster;

import dev.steward.agent.errors.ConflictException;
import java.time.Clock;
import java.util.List;

/** The nodes an agent knows: every node holding a lease in a cluster, or the agent's own alone. */
public interface Nodes {
    List<NodeView> nodes();

    /** Marks {@code node} drained: it gets no new instances, and its own move to other nodes. Its view after. */
    default NodeView drain(String node) {
        throw new ConflictException("this agent is not in a cluster (start it with --cluster); there is nothing to drain to");
    }

    /** Takes the drain off {@code node}. Its view after. */
    default NodeView undrain(String node) {
        throw new ConflictException("this agent is not in a cluster (start it with --cluster)");
    }

    /** The lone agent's node, as it is now (it leads itself). */
    static Nodes alone(NodeReport self, Clock clock) {
        return () -> List.of(NodeView.of(self.now(), clock.instant()).with(true, false));
    }
}
