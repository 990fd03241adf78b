package dev.steward.agent.auth;

import dev.steward.agent.errors.ForbiddenException;
import java.util.ArrayList;
import java.util.List;

/** Who may change what: the owner, the spec's administrators, admin tokens; the refusal names them. */
public final class Rights {
    private Rights() {}

    /** Refuses, naming who may, unless {@code caller} may change {@code what} (such as "service web"). */
    public static void requireChange(Caller caller, String what, String owner, List<String> administrators) {
        if (caller.mayChange(owner, administrators)) return;
        List<String> may = new ArrayList<>();
        if (owner != null && !owner.isEmpty()) may.add(owner + " (its owner)");
        administrators.stream().filter(a -> !a.equals(owner)).forEach(a -> may.add(a + " (an administrator)"));
        may.add("an admin token");
        throw new ForbiddenException(what + " may be changed only by " + String.join(", ", may) + "; the token " + caller.name() + " is none of these");
    }

    public static void requireAdmin(Caller caller, String what) {
        if (!caller.admin()) throw new ForbiddenException(what + " needs an admin token; the token " + caller.name() + " is a " + caller.role().wire() + " token");
    }
}
