package dev.steward.agent.gateway;

import dev.steward.model.Route;
import java.util.Collection;
import java.util.Optional;

/**
 * Finds the service a request is for: by host ({@code route.host}, or {@code <service>.<domain>}),
 * else by the longest path prefix ({@code route.path}, or {@code /<service>}). Pure.
 */
public final class Router {
    private Router() {}

    /** A service as the router sees it, with its path prefix worked out once. */
    public record Target(String service, Route route, String prefix) {
        public Target(String service, Route route) {
            this(service, route, prefixOf(service, route));
        }
    }

    /** Where a request goes, and the path to send on. */
    public record Match(String service, String path) {}

    public static Optional<Match> match(Collection<Target> targets, String host, String path, String domain) {
        String h = hostName(host);
        if (!h.isEmpty()) {
            for (Target t : targets) {
                String routeHost = t.route() != null ? t.route().host() : null;
                if (h.equalsIgnoreCase(routeHost) || isServiceHost(h, t.service(), domain)) return Optional.of(new Match(t.service(), path));
            }
        }
        Target best = null;
        String bestPrefix = null;
        for (Target t : targets) {
            String p = t.prefix();
            if (matches(path, p) && (bestPrefix == null || p.length() > bestPrefix.length())) {
                best = t;
                bestPrefix = p;
            }
        }
        return best == null ? Optional.empty() : Optional.of(new Match(best.service(), strip(path, bestPrefix)));
    }

    /** The host without its port. */
    static String hostName(String host) {
        if (host == null) return "";
        int colon = host.lastIndexOf(':');
        if (colon > 0 && host.indexOf(']') < colon) return host.substring(0, colon);
        return host;
    }

    /** {@code <service>.<domain>}, compared without allocating. */
    private static boolean isServiceHost(String h, String service, String domain) {
        int n = service.length();
        return h.length() == n + 1 + domain.length() && h.regionMatches(true, 0, service, 0, n) && h.charAt(n) == '.'
                && h.regionMatches(true, n + 1, domain, 0, domain.length());
    }

    static String prefixOf(String service, Route route) {
        String p = route != null && route.path() != null ? route.path() : "/" + service;
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
