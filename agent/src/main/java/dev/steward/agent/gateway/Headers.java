package dev.steward.agent.gateway;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;
import java.util.Locale;

/**
 * Hop-by-hop headers (RFC 9110 section 7.6.1): {@code Connection} and every header it names,
 * {@code Keep-Alive}, {@code Proxy-Connection}, {@code TE}, {@code Trailer} and {@code Upgrade} belong
 * to one connection and are not forwarded; {@code Transfer-Encoding} is left to the codec that frames
 * the next hop the same way. An upgrade (WebSocket) keeps {@code Connection: upgrade} and {@code Upgrade}.
 */
final class Headers {
    private Headers() {}

    private static final String STEWARD = "x-steward-";
    private static final List<CharSequence> HOP = List.of(HttpHeaderNames.KEEP_ALIVE, HttpHeaderNames.PROXY_CONNECTION,
            HttpHeaderNames.TE, HttpHeaderNames.TRAILER, HttpHeaderNames.PROXY_AUTHENTICATE, HttpHeaderNames.PROXY_AUTHORIZATION);

    /** Whether the message asks to switch protocols ({@code Connection: upgrade} and an {@code Upgrade} header). */
    static boolean isUpgrade(HttpHeaders h) {
        return h.contains(HttpHeaderNames.UPGRADE) && h.containsValue(HttpHeaderNames.CONNECTION, "upgrade", true);
    }

    static void stripHopByHop(HttpHeaders h, boolean upgrade) {
        String only = h.get(HttpHeaderNames.CONNECTION);
        boolean plain = only == null || only.equalsIgnoreCase("keep-alive") || only.equalsIgnoreCase("close");
        if (only != null) {
            if (!plain || h.getAll(HttpHeaderNames.CONNECTION).size() > 1) namedByConnection(h, upgrade);
            h.remove(HttpHeaderNames.CONNECTION);
        }
        for (CharSequence n : HOP) h.remove(n);
        if (upgrade) {
            h.set(HttpHeaderNames.CONNECTION, "upgrade");
        } else {
            h.remove(HttpHeaderNames.UPGRADE);
        }
    }

    /**
     * Removes every {@code X-Steward-*} header: what a client sends under that name must never pass for
     * what the gateway or the agent says (an instance may trust those headers).
     */
    /** Takes the caller's token off a request for a guarded backend: {@code Authorization}, and the {@code steward-token} cookie. */
    static void dropCredentials(HttpHeaders h) {
        h.remove(io.netty.handler.codec.http.HttpHeaderNames.AUTHORIZATION);
        String cookie = h.get(io.netty.handler.codec.http.HttpHeaderNames.COOKIE);
        if (cookie == null) return;
        String kept = java.util.Arrays.stream(cookie.split(";")).map(String::strip)
                .filter(c -> !c.startsWith("steward-token=")).collect(java.util.stream.Collectors.joining("; "));
        if (kept.isEmpty()) h.remove(io.netty.handler.codec.http.HttpHeaderNames.COOKIE);
        else h.set(io.netty.handler.codec.http.HttpHeaderNames.COOKIE, kept);
    }

    static void stripSteward(HttpHeaders h) {
        List<String> names = null;
        for (var e : h) {
            if (e.getKey().regionMatches(true, 0, STEWARD, 0, STEWARD.length())) {
                if (names == null) names = new java.util.ArrayList<>(2);
                names.add(e.getKey());
            }
        }
        if (names != null) names.forEach(h::remove);
    }

    /** Removes the headers that {@code Connection} names. */
    private static void namedByConnection(HttpHeaders h, boolean upgrade) {
        for (String named : h.getAll(HttpHeaderNames.CONNECTION)) {
            for (String token : named.split(",")) {
                String t = token.trim().toLowerCase(Locale.ROOT);
                if (t.isEmpty() || t.equals("upgrade") && upgrade) continue;
                if (t.equals("transfer-encoding") || t.equals("content-length")) continue; // framing: never drop
                h.remove(t);
            }
        }
    }
}
