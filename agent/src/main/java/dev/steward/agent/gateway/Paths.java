package dev.steward.agent.gateway;

import java.util.ArrayList;
import java.util.List;

/**
 * A request target's path made canonical before it is routed (RFC 3986 section 6.2.2): runs of
 * {@code /} become one, {@code .} segments go, {@code ..} takes the segment before it away, and a
 * segment that is only dots once {@code %2e} is decoded counts as dots. A path that climbs above
 * the root is refused. Other escapes (an encoded {@code /} among them) are kept as they came, and the
 * query is not touched. Pure.
 */
final class Paths {
    private Paths() {}

    /** {@code uri} (a path starting with {@code /}, maybe a query) made canonical, or null when it climbs above the root. */
    static String normalise(String uri) {
        int q = uri.indexOf('?');
        int end = q < 0 ? uri.length() : q;
        if (canonical(uri, end)) return uri;
        List<String> kept = new ArrayList<>();
        boolean directory = false; // whether the path ends with a slash: its last segment is empty or dots
        for (int at = 1; at <= end; ) {
            int slash = uri.indexOf('/', at);
            int stop = slash < 0 || slash > end ? end : slash;
            String segment = uri.substring(at, stop);
            int dots = dots(segment);
            if (dots == 2) {
                if (kept.isEmpty()) return null;
                kept.removeLast();
            } else if (dots == 0 && !segment.isEmpty()) {
                kept.add(segment);
            }
            directory = dots > 0 || segment.isEmpty();
            at = stop + 1;
        }
        StringBuilder b = new StringBuilder(uri.length());
        for (String s : kept) b.append('/').append(s);
        if (b.isEmpty() || directory) b.append('/');
        return q < 0 ? b.toString() : b.append(uri, q, uri.length()).toString();
    }

    /** Whether the path has nothing to change: no {@code //}, no segment that is dots, no {@code %2e}. */
    private static boolean canonical(String uri, int end) {
        for (int i = 0; i < end; i++) {
            char c = uri.charAt(i);
            if (c == '/' && i + 1 < end && uri.charAt(i + 1) == '/') return false;
            if (c == '.' && uri.charAt(i - 1) == '/') return false;
            if (c == '%' && i + 2 < end && uri.charAt(i + 1) == '2' && (uri.charAt(i + 2) | 0x20) == 'e') return false;
        }
        return true;
    }

    /** 1 for a {@code .} segment, 2 for {@code ..} ({@code %2e} counting as a dot), else 0. */
    private static int dots(String segment) {
        int n = 0;
        for (int i = 0; i < segment.length(); n++) {
            if (segment.charAt(i) == '.') {
                i++;
            } else if (segment.startsWith("%2", i) && i + 2 < segment.length() && (segment.charAt(i + 2) | 0x20) == 'e') {
                i += 3;
            } else {
                return 0;
            }
            if (n >= 2) return 0;
        }
        return n;
    }
}
