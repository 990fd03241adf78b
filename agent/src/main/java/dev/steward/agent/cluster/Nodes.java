package dev.steward.agent.cluster;

import java.time.Clock;
import java.util.List;

/** The nodes an agent knows: every node holding a lease in a cluster, or the agent's own alone. */
public interface Nodes {
    List<NodeView> nodes();

    /** The lone agent's node, as it is now. */
    static Nodes alone(NodeReport self, Clock clock) {
        return () -> List.of(NodeView.of(self.now(), clock.instant()));
    }
}
