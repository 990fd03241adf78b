package dev.steward.agent.dynamic;

import dev.steward.agent.auth.Caller;
import dev.steward.agent.auth.Tokens;
import dev.steward.agent.traffic.Backend;
import java.util.List;
import java.util.function.Function;

/**
 * Who may open an instance's URL: its opener, an administrator the spec names, or an admin token; shown as
 * {@code Authorization: Bearer TOKEN} or the cookie {@code steward-token=TOKEN}. Pure but for the token lookup,
 * which is a read of an immutable map (safe on an event loop).
 */
final class Opener {
    static final String COOKIE = "steward-token";

    private Opener() {}

    static Backend.Refusal refuses(Function<String, Tokens.Check> tokens, String owner, List<String> administrators,
                                   String authorization, String cookie) {
        String secret = secret(authorization, cookie);
        if (secret == null) return new Backend.Refusal(401, "this instance is its opener's: send 'Authorization: Bearer TOKEN' or the cookie " + COOKIE);
        return switch (tokens.apply(secret)) {
            case Tokens.Check.Valid v -> allowed(v.caller(), owner, administrators) ? null
                    : new Backend.Refusal(403, "this instance is " + owner + "'s; " + v.caller().name() + " may not open it");
            case Tokens.Check.Expired e -> new Backend.Refusal(401, "the token " + e.name() + " expired at " + e.at());
            case Tokens.Check.Unknown u -> new Backend.Refusal(401, "the token is not known");
        };
    }

    private static boolean allowed(Caller c, String owner, List<String> administrators) {
        return c.admin() || c.name().equals(owner) || administrators.contains(c.name());
    }

    static String secret(String authorization, String cookie) {
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) return authorization.substring(7).strip();
        if (cookie == null) return null;
        for (String c : cookie.split(";")) {
            String kv = c.strip();
            if (kv.startsWith(COOKIE + "=")) return kv.substring(COOKIE.length() + 1);
        }
        return null;
    }
}
