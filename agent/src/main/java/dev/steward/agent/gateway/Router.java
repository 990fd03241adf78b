package dev.steward.agent.gateway;

import dev.steward.model.Route;
import java.util.Collection;
import java.util.Comparator;
import java.util.Locale;
import java.util.Optional;

/**
 * Finds the service a request is for: by host ({@code route.host}, or {@code <service>.<domain>}),
 * else by the longest path prefix ({@code route.path}, or {@code /<service>}). Pure.
 */
public final class Router {
    private Router() {}

    /** A service as the router sees it. */
    public record Target(String service, Route route) {}

    /** Where a request goes, and the path to send on. */
    public record Match(String service, String path) {}

    public static Optional<Match> match(Collection<Target> targets, String host, String path, String domain) {
        String h = host == null ? "" : host.toLowerCase(Locale.ROOT).replaceFirst(":\\d+$", "");
        for (Target t : targets) {
            String routeHost = t.route() != null && t.route().host() != null ? t.route().host().toLowerCase(Locale.ROOT) : null;
            if (h.equals(routeHost) || h.equals(t.service() + "." + domain)) return Optional.of(new Match(t.service(), path));
        }
        return targets.stream()
                .map(t -> new Object[] {t, prefix(t)})
                .filter(tp -> matches(path, (String) tp[1]))
                .max(Comparator.comparingInt(tp -> ((String) tp[1]).length()))
                .map(tp -> new Match(((Target) tp[0]).service(), strip(path, (String) tp[1])));
    }

    static String prefix(Target t) {
        String p = t.route() != null && t.route().path() != null ? t.route().path() : "/" + t.service();
        return p.length() > 1 && p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
    }

    static boolean matches(String path, String prefix) {
        return path.equals(prefix) || path.startsWith(prefix + "/") || path.startsWith(prefix + "?") || prefix.equals("/");
    }

    /** The path without the prefix, never empty: {@code /hello/a?b} with prefix {@code /hello} is {@code /a?b}. */
    static String strip(String path, String prefix) {
        if (prefix.equals("/")) return path;
        String rest = path.substring(prefix.length());
        return rest.isEmpty() || rest.startsWith("?") ? "/" + rest : rest;
    }
}
