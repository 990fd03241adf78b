package dev.steward.agent.isolate;

import dev.steward.agent.errors.ForbiddenException;
import dev.steward.model.Spec;

/**
 * Who instances run as: a spec's own {@code user:}, else the agent's default user ({@code nobody}
 * unless the operator chose another; null: the agent's own user, as in dev mode and tests). Running
 * as root (by the spec or by default) needs an agent started with {@code --allow-root} and an admin
 * token. Containers run as their image's user.
 */
public record RunAs(String defaultUser, boolean allowRoot) {
    /** Instances run as the agent's own user, root allowed: dev mode, tests, embedding. */
    public static final RunAs AGENT_USER = new RunAs(null, true);
    public static final String NOBODY = "nobody";

    public RunAs {
        if (defaultUser != null) {
            Users.Ids ids;
            try {
                ids = Users.resolve(defaultUser);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--default-user: no user '" + defaultUser + "' on this machine");
            }
            if (!allowRoot && ids.uid() == 0) {
                throw new IllegalArgumentException("--default-user " + defaultUser + " is root: that needs --allow-root too");
            }
        }
    }

    /** The user {@code spec}'s instances run as, or null for the agent's own. */
    public String userOf(Spec spec) {
        if (spec.isolate().type().equals("container")) return null;
        String own = spec.isolate().options().get("user");
        return own != null ? own : defaultUser;
    }

    /** Refuses a spec that would run as root unless the agent allows it and the caller has an admin token. */
    public void check(Spec spec, boolean admin) {
        if (spec.command().isEmpty() || !root(userOf(spec))) return;
        String who = spec.isolate().options().containsKey("user") ? "user: " + spec.isolate().options().get("user") : "no user: (the agent's default is root)";
        if (!allowRoot) throw new ForbiddenException(spec.name() + ": " + who + " runs as root, which this agent does not allow (it was started without --allow-root)");
        if (!admin) throw new ForbiddenException(spec.name() + ": " + who + " runs as root, which needs an admin token");
    }

    private static boolean root(String user) {
        if (user == null) return "root".equals(System.getProperty("user.name"));
        try {
            return Users.resolve(user).uid() == 0;
        } catch (IllegalArgumentException e) {
            return false; // no such user: the spawn says so
        }
    }
}
