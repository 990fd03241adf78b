package dev.steward.agent.auth;

import java.util.List;
import java.util.Objects;

/** Who made a request: the name of the token it carried and that token's role. */
public record Caller(String name, Role role) {
    /** The agent itself (specs applied at start). */
    public static final Caller AGENT = new Caller("agent", Role.ADMIN);

    public Caller {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(role, "role");
    }

    public boolean admin() {
        return role == Role.ADMIN;
    }

    public boolean mayWrite() {
        return role != Role.READ_ONLY;
    }

    /** Whether this caller may change or stop what {@code owner} owns and {@code administrators} administer. */
    public boolean mayChange(String owner, List<String> administrators) {
        return admin() || (mayWrite() && (name.equals(owner) || administrators.contains(name)));
    }
}
