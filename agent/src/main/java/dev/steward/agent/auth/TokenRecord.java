package dev.steward.agent.auth;

import java.time.Instant;

/**
 * A token as stored: its name, the SHA-256 of its secret (never the secret), its role, when it was
 * made and when it expires (null: never).
 */
public record TokenRecord(String name, String hash, Role role, Instant created, Instant expires) {
    public boolean expired(Instant now) {
        return expires != null && !now.isBefore(expires);
    }

    /** What {@code token list} shows: everything but the hash. */
    public java.util.Map<String, Object> view() {
        var m = new java.util.LinkedHashMap<String, Object>();
        m.put("name", name);
        m.put("role", role.wire());
        m.put("created", created.toString());
        if (expires != null) m.put("expires", expires.toString());
        return m;
    }
}
