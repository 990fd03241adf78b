package dev.steward.agent.gateway;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;

/**
 * Heads as they cross the gateway: a request refused before it is routed, the request as an instance
 * gets it, the response as the client gets it. Rewritten in place.
 */
final class Heads {
    private Heads() {}

    private static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");
    private static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("x-forwarded-proto");
    private static final AsciiString X_FORWARDED_HOST = AsciiString.cached("x-forwarded-host");
    private static final AsciiString HTTP = AsciiString.cached("http");
    private static final AsciiString HTTPS = AsciiString.cached("https");

    /** Why the request is answered by the gateway before routing (malformed, no Host, not a path), or null. */
    static Reply refusal(HttpRequest req, String host, String uri, int maxHeader) {
        if (req.decoderResult().isFailure()) return Reply.malformed(req.decoderResult().cause(), maxHeader);
        if (host == null && req.protocolVersion().equals(HttpVersion.HTTP_1_1)) {
            return new Reply(400, "an HTTP/1.1 request needs a Host header", null, true);
        }
        if (!uri.startsWith("/")) {
            return new Reply(400, "the request target must be a path starting with /, not '" + Reply.abbreviate(uri) + "'", null, true);
        }
        return null;
    }

    /**
     * The request as instances get it, made once when it is routed: {@code path} as its target, hop-by-hop
     * headers and every client-sent {@code X-Steward-*} header dropped, forwarding headers added. Only Host is set per instance, as it is sent.
     *
     * @param host the Host the client sent, or null
     * @param tls  whether the client came over TLS (X-Forwarded-Proto: https)
     */
    static void forInstances(HttpRequest req, String path, String host, String client, boolean upgrade, boolean tls) {
        HttpHeaders h = req.headers();
        Headers.stripHopByHop(h, upgrade);
        Headers.stripSteward(h);
        String prior = h.get(X_FORWARDED_FOR);
        h.set(X_FORWARDED_FOR, prior == null ? client : prior + ", " + client);
        h.set(X_FORWARDED_PROTO, tls ? HTTPS : HTTP);
        if (host != null) h.set(X_FORWARDED_HOST, host);
        if (req.protocolVersion().equals(HttpVersion.HTTP_1_0) && !HttpUtil.isContentLengthSet(req) && !upgrade) {
            h.set(HttpHeaderNames.CONTENT_LENGTH, 0); // an HTTP/1.0 request without a length has no body
        }
        req.setUri(path);
        req.setProtocolVersion(HttpVersion.HTTP_1_1);
    }

    /**
     * An instance's final response head made fit for the client: hop-by-hop headers dropped, the instance
     * named, the body framed so the client can find its end. Returns whether the client connection stays
     * open after it ({@code keepAlive} as it was, unless the framing or an unread request body rules it out).
     */
    static boolean forClient(HttpResponse r, HttpRequest req, String instance, boolean requestEnded, boolean keepAlive) {
        int code = r.status().code();
        HttpHeaders h = r.headers();
        Headers.stripHopByHop(h, false);
        h.set(Gateway.INSTANCE_HEADER, instance);
        boolean bodiless = req.method().equals(HttpMethod.HEAD) || code == 204 || code == 304;
        if (!bodiless && !HttpUtil.isContentLengthSet(r) && !HttpUtil.isTransferEncodingChunked(r)) {
            // delimited by the instance closing: the client gets it chunked, or (HTTP/1.0) delimited by our close
            if (req.protocolVersion().equals(HttpVersion.HTTP_1_1)) HttpUtil.setTransferEncodingChunked(r, true);
            else keepAlive = false;
        }
        if (req.protocolVersion().equals(HttpVersion.HTTP_1_0) && HttpUtil.isTransferEncodingChunked(r)) {
            HttpUtil.setTransferEncodingChunked(r, false);
            keepAlive = false;
        }
        if (!requestEnded) keepAlive = false; // answered before the body ended: where the next request starts is unknown
        if (!keepAlive) h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        else if (req.protocolVersion().equals(HttpVersion.HTTP_1_0)) h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        r.setProtocolVersion(HttpVersion.HTTP_1_1);
        return keepAlive;
    }
}
