package dev.steward.agent.placement;

import java.util.Map;
import java.util.TreeMap;

/** Where one service's instances go: every one placed, or some (perhaps none) pending with the reason. */
public sealed interface Decision {
    /** Node name to the count of instances placed there. */
    Map<String, Integer> placed();

    record Placed(Map<String, Integer> placed) implements Decision {
        public Placed {
            placed = java.util.Collections.unmodifiableMap(new TreeMap<>(placed));
        }
    }

    /** {@code missing} instances found no node; {@code reason} says what is missing, and the best free amounts. */
    record Pending(Map<String, Integer> placed, int missing, String reason) implements Decision {
        public Pending {
            placed = java.util.Collections.unmodifiableMap(new TreeMap<>(placed));
        }
    }
}
