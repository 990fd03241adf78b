package dev.steward.agent.rpc;

import java.util.Map;

/**
 * What the locator resolves beyond this node: in a cluster, the protocol services the other nodes publish.
 * Read on the locator's calls, so it answers from what it holds, without blocking.
 */
public interface Beyond {
    /** Nothing beyond this node: an agent alone. */
    Beyond NONE = new Beyond() {
        @Override
        public Located find(String name) {
            return null;
        }

        @Override
        public Map<String, Located> all() {
            return Map.of();
        }
    };

    /** Where {@code name} ({@code NAME}, or {@code NAME@NODE} for one node's own) is served on another node, or null. */
    Located find(String name);

    /** Every name resolvable beyond this node, with where {@link #find} would send it. */
    Map<String, Located> all();
}
