package dev.steward.agent.auth;

import java.util.Locale;

/** What a token may do: read everything, also change what its name owns, or change anything. */
public enum Role {
    READ_ONLY, USER, ADMIN;

    @com.fasterxml.jackson.annotation.JsonValue
    public String wire() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    @com.fasterxml.jackson.annotation.JsonCreator
    public static Role of(String wire) {
        for (Role r : values()) if (r.wire().equals(wire)) return r;
        throw new IllegalArgumentException("role: '" + wire + "' (expected: read-only, user or admin)");
    }
}
