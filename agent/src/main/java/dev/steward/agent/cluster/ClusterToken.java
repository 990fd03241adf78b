package dev.steward.agent.cluster;

import dev.steward.agent.Json;
import dev.steward.agent.store.Store;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import java.util.Optional;

/**
 * The cluster's shared token: etcd keeps only its SHA-256 under {@code cluster/token}, set by the first
 * agent that joins with one. An agent joins only with that token; other agents' calls to this one carry
 * it ({@code Authorization: Bearer}) and are checked against it. A cluster whose first agent had no token
 * has none until one joins with a token.
 */
public final class ClusterToken {
    static final String KEY = "cluster/token";
    private final String token;

    private ClusterToken(String token) {
        this.token = token;
    }

    /** Checks {@code token} (null: none) against the cluster's, and sets it when the cluster has none yet; refused: IllegalStateException. */
    public static ClusterToken admit(Store store, String token) {
        for (int attempt = 0; attempt < 3; attempt++) {
            Optional<String> kept = store.get(KEY).map(v -> Json.tree(v).path("sha256").asText());
            if (kept.isPresent()) {
                if (token == null) {
                    throw new IllegalStateException("the cluster has a token and this agent has none: give it with --cluster-token FILE (the file 'token' made with the certificates)");
                }
                if (!MessageDigest.isEqual(kept.get().getBytes(StandardCharsets.US_ASCII), dev.steward.agent.Sha256.hex(token).getBytes(StandardCharsets.US_ASCII))) {
                    throw new IllegalStateException("--cluster-token is not this cluster's token (etcd keeps another): give the token the other nodes were started with");
                }
                return new ClusterToken(token);
            }
            if (token == null) return new ClusterToken(null);
            if (store.putIfAbsent(KEY, Json.write(Map.of("sha256", dev.steward.agent.Sha256.hex(token))))) return new ClusterToken(token);
        }
        throw new IllegalStateException("the cluster's token changed three times while this agent joined");
    }

    /** Whether {@code presented} (a bearer token from another agent) is the cluster's; false when the cluster has none. */
    public boolean matches(String presented) {
        return token != null && presented != null && MessageDigest.isEqual(token.getBytes(StandardCharsets.UTF_8), presented.getBytes(StandardCharsets.UTF_8));
    }

    /** The token this agent shows to the others, or null. */
    public String secret() {
        return token;
    }

    @Override
    public String toString() {
        return "ClusterToken[" + (token == null ? "none" : "given") + "]";
    }
}
