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
        return Optional.ofNullable(find(targets, host, path, domain));
    }

    /** As {@link #match}, null when nothing matches (the gateway's hot path, without allocating on a miss). */
    public static Match find(Collection<Target> targets, String host, String path, String domain) {
        int hostEnd = hostEnd(host);
        if (hostEnd > 0) {
            for (Target t : targets) {
                String routeHost = t.route() != null ? t.route().host() : null;
                if (routeHost != null && routeHost.length() == hostEnd && host.regionMatches(true, 0, routeHost, 0, hostEnd)
                        || isServiceHost(host, hostEnd, t.service(), domain)) {
                    return new Match(t.service(), path);
                }
            }
        }
        Target best = null;
        for (Target t : targets) {
            if (matches(path, t.prefix()) && (best == null || t.prefix().length() > best.prefix().length())) best = t;
        }
        return best == null ? null : new Match(best.service(), strip(path, best.prefix()));
    }

    /** Where the host name ends (before a port), 0 when there is none. */
    static int hostEnd(String host) {
        if (host == null) return 0;
        int colon = host.lastIndexOf(':');
        if (colon > 0 && host.indexOf(']') < colon) return colon;
        return host.length();
    }

    /** {@code <service>.<domain>} as the first {@code end} characters of {@code h}, compared without allocating. */
    private static boolean isServiceHost(String h, int end, String service, String domain) {
        int n = service.length();
        return end == n + 1 + domain.length() && h.regionMatches(true, 0, service, 0, n) && h.charAt(n) == '.'
                && h.regionMatches(true, n + 1, domain, 0, domain.length());
    }

    static String prefixOf(String service, Route route) {
        String p = route != null && route.path() != null ? route.path() : "/" + service;
        return p.length() > 1 && p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
    }

    static boolean matches(String path, String prefix) {
        if (prefix.equals("/")) return true;
        if (!path.startsWith(prefix)) return false;
        if (path.length() == prefix.length()) return true;
        char next = path.charAt(prefix.length());
        return next == '/' || next == '?';
    }

    /** The path without the prefix, never empty: {@code /hello/a?b} with prefix {@code /hello} is {@code /a?b}. */
    static String strip(String path, String prefix) {
        if (prefix.equals("/")) return path;
        String rest = path.substring(prefix.length());
        return rest.isEmpty() || rest.startsWith("?") ? "/" + rest : rest;
    }
}
