package dev.steward.agent.gateway;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import java.util.Set;

/**
 * Heads as they cross the gateway, written as bytes from the heads as they came (see {@link Head}):
 * the request as an instance gets it, the response as the client gets it. Each header line is copied
 * as it was sent unless it is left out; hop-by-hop headers (RFC 9110 section 7.6.1: Connection and what
 * it names, Keep-Alive, Proxy-Connection, TE, Upgrade but for an upgrade, the Proxy-Auth ones)
 * are not passed on; the framing headers are, unless the body is framed anew.
 */
final class Heads {
    private Heads() {}

    private static final byte[] CRLF = {'\r', '\n'};

    /** How a response body goes to the client. */
    enum Framing {
        /** As it came: Content-Length, chunked, or no body. */
        AS_IS,
        /** Delimited by the instance's close: sent chunked to an HTTP/1.1 client. */
        CHUNKED_ANEW,
        /** Chunked, for an HTTP/1.0 client: the chunks' data alone, then our close. */
        UNCHUNKED,
        /** Delimited by the instance's close, and by ours for an HTTP/1.0 client. */
        UNTIL_CLOSE
    }

    /** What the client gets of a response: its framing, and whether the connection stays open after it. */
    record ForClient(Framing framing, boolean keepAlive) {}

    /**
     * How the response is relayed: the body framed so the client can find its end (an HTTP/1.0 client gets no
     * chunks), the connection kept open as the client asked unless the framing or an unread request body rules it out.
     */
    static ForClient forClient(ResponseHead r, RequestHead req, boolean requestEnded, boolean keepAlive) {
        boolean bodiless = req.isHead() || r.status == 204 || r.status == 304;
        Framing f = Framing.AS_IS;
        if (!bodiless) {
            if (r.chunked) {
                if (req.http10) f = Framing.UNCHUNKED;
            } else if (r.contentLength < 0) {
                f = req.http10 ? Framing.UNTIL_CLOSE : Framing.CHUNKED_ANEW;
            }
        }
        if (f == Framing.UNCHUNKED || f == Framing.UNTIL_CLOSE) keepAlive = false;
        if (!requestEnded) keepAlive = false; // answered before the body ended: where the next request starts is unknown
        return new ForClient(f, keepAlive);
    }

    /**
     * The request as an instance gets it: {@code path} as its target, HTTP/1.1, Host the instance's; hop-by-hop headers,
     * Host, every client-sent {@code X-Steward-*} and the forwarding headers left out, and forwarding headers added
     * (X-Forwarded-For after what the client sent); a guarded backend's credentials taken off.
     */
    static ByteBuf forInstance(ByteBufAllocator alloc, RequestHead h, String path, String hostAndPort, String client, boolean tls,
                               boolean guarded) {
        ByteBuf b = alloc.ioBuffer(h.raw.length + path.length() + 160);
        ByteBufUtil.writeAscii(b, h.method);
        b.writeByte(' ');
        ByteBufUtil.writeAscii(b, path); // the target came as ISO-8859-1 bytes: one byte per char back
        b.writeBytes(HTTP11_END);
        b.writeBytes(HOST);
        ByteBufUtil.writeAscii(b, hostAndPort);
        b.writeBytes(CRLF);
        Set<String> named = h.connectionNames ? h.namedByConnection() : null;
        String priorFor = null;
        for (int i = 0; i < h.count; i++) {
            switch (h.kinds[i]) {
                case Head.HOST, Head.CONNECTION, Head.HOP, Head.STEWARD, Head.INSTANCE, Head.FORWARDED_PROTO, Head.FORWARDED_HOST -> {
                }
                case Head.UPGRADE -> {
                    if (h.upgrade) line(b, h, i);
                }
                case Head.FORWARDED_FOR -> {
                    if (priorFor == null) priorFor = h.string(h.at[4 * i + 2], h.at[4 * i + 3]);
                }
                case Head.AUTHORIZATION -> {
                    if (!guarded && (named == null || !named.contains("authorization"))) line(b, h, i);
                }
                case Head.COOKIE -> {
                    if (guarded) cookieWithoutToken(b, h.string(h.at[4 * i + 2], h.at[4 * i + 3]));
                    else if (named == null || !named.contains("cookie")) line(b, h, i);
                }
                case Head.CONTENT_LENGTH, Head.TRANSFER_ENCODING -> line(b, h, i);
                default -> {
                    if (named == null || !named.contains(h.name(i))) line(b, h, i);
                }
            }
        }
        if (h.upgrade) b.writeBytes(CONNECTION_UPGRADE);
        b.writeBytes(FORWARDED_FOR);
        if (priorFor != null) {
            ByteBufUtil.writeAscii(b, priorFor);
            b.writeByte(',').writeByte(' ');
        }
        ByteBufUtil.writeAscii(b, client);
        b.writeBytes(tls ? FORWARDED_HTTPS : FORWARDED_HTTP);
        if (h.host != null) {
            b.writeBytes(FORWARDED_HOST);
            ByteBufUtil.writeAscii(b, h.host);
            b.writeBytes(CRLF);
        }
        if (h.http10 && h.contentLength < 0 && !h.chunked && !h.upgrade) b.writeBytes(NO_BODY); // an HTTP/1.0 request without a length has none
        b.writeBytes(CRLF);
        return b;
    }

    /** A Cookie line without the steward-token cookie (none when nothing else is left). */
    private static void cookieWithoutToken(ByteBuf b, String cookie) {
        String kept = java.util.Arrays.stream(cookie.split(";")).map(String::strip)
                .filter(c -> !c.startsWith("steward-token=")).collect(java.util.stream.Collectors.joining("; "));
        if (kept.isEmpty()) return;
        ByteBufUtil.writeAscii(b, "cookie: ");
        ByteBufUtil.writeAscii(b, kept);
        b.writeBytes(CRLF);
    }

    /**
     * An instance's final response head as the client gets it: HTTP/1.1 with the instance's status and reason,
     * hop-by-hop headers left out, the instance named, the framing as {@code c} says (Content-Length left out when
     * the body is chunked), and Connection saying whether it stays open.
     */
    static ByteBuf forClient(ByteBufAllocator alloc, ResponseHead r, RequestHead req, String instance, ForClient c) {
        return forClient(alloc, r, req, instance, c, 0);
    }

    /** As above, with {@code room} bytes more in the buffer (for a small body that follows the head in it). */
    static ByteBuf forClient(ByteBufAllocator alloc, ResponseHead r, RequestHead req, String instance, ForClient c, int room) {
        ByteBuf b = alloc.ioBuffer(r.raw.length + instance.length() + 80 + room);
        b.writeBytes(HTTP11_SP);
        b.writeBytes(r.raw, r.statusAt, r.startEnd - r.statusAt);
        b.writeBytes(CRLF);
        Set<String> named = r.connectionNames ? r.namedByConnection() : null;
        for (int i = 0; i < r.count; i++) {
            switch (r.kinds[i]) {
                case Head.CONNECTION, Head.HOP, Head.UPGRADE, Head.INSTANCE -> {
                }
                case Head.TRANSFER_ENCODING -> {
                    if (c.framing() != Framing.UNCHUNKED) line(b, r, i);
                }
                case Head.CONTENT_LENGTH -> {
                    if (!r.chunked) line(b, r, i);
                }
                default -> {
                    if (named == null || !named.contains(r.name(i))) line(b, r, i);
                }
            }
        }
        b.writeBytes(INSTANCE);
        ByteBufUtil.writeAscii(b, instance);
        b.writeBytes(CRLF);
        if (c.framing() == Framing.CHUNKED_ANEW) b.writeBytes(CHUNKED);
        if (!c.keepAlive()) b.writeBytes(CLOSE);
        else if (req.http10) b.writeBytes(KEEP_ALIVE);
        b.writeBytes(CRLF);
        return b;
    }

    /** An instance's 101 as the client gets it: as it came, with the instance named. */
    static ByteBuf switching(ByteBufAllocator alloc, ResponseHead r, String instance) {
        ByteBuf b = alloc.ioBuffer(r.raw.length + instance.length() + 40);
        b.writeBytes(HTTP11_SP);
        b.writeBytes(r.raw, r.statusAt, r.startEnd - r.statusAt);
        b.writeBytes(CRLF);
        for (int i = 0; i < r.count; i++) {
            if (r.kinds[i] != Head.INSTANCE) line(b, r, i);
        }
        b.writeBytes(INSTANCE);
        ByteBufUtil.writeAscii(b, instance);
        b.writeBytes(CRLF);
        b.writeBytes(CRLF);
        return b;
    }

    /** Header line {@code i} as it came (name, colon, value), then CRLF. */
    private static void line(ByteBuf b, Head h, int i) {
        int from = h.at[4 * i];
        b.writeBytes(h.raw, from, h.at[4 * i + 3] - from);
        b.writeBytes(CRLF);
    }

    /** The line that starts a chunk of {@code size} bytes. */
    static ByteBuf chunkStart(ByteBufAllocator alloc, long size) {
        ByteBuf b = alloc.ioBuffer(18);
        ByteBufUtil.writeAscii(b, Long.toHexString(size));
        b.writeBytes(CRLF);
        return b;
    }

    static ByteBuf crlf(ByteBufAllocator alloc) {
        return alloc.ioBuffer(2).writeBytes(CRLF);
    }

    /** The last chunk and the end of a chunked body (no trailers). */
    static ByteBuf lastChunk(ByteBufAllocator alloc) {
        return alloc.ioBuffer(5).writeBytes(LAST_CHUNK);
    }

    /** The last chunk, {@code trailers} (lines ending with CRLF, released here; none when null), and the end of a chunked body. */
    static ByteBuf lastChunk(ByteBufAllocator alloc, ByteBuf trailers) {
        if (trailers == null) return lastChunk(alloc);
        try {
            ByteBuf b = alloc.ioBuffer(5 + trailers.readableBytes());
            b.writeBytes(LAST_CHUNK, 0, 3);
            b.writeBytes(trailers, trailers.readerIndex(), trailers.readableBytes());
            return b.writeBytes(CRLF);
        } finally {
            trailers.release();
        }
    }

    private static byte[] ascii(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    private static final byte[] HTTP11_END = ascii(" HTTP/1.1\r\n");
    private static final byte[] HTTP11_SP = ascii("HTTP/1.1 ");
    private static final byte[] HOST = ascii("host: ");
    private static final byte[] CONNECTION_UPGRADE = ascii("connection: upgrade\r\n");
    private static final byte[] FORWARDED_FOR = ascii("x-forwarded-for: ");
    private static final byte[] FORWARDED_HTTP = ascii("\r\nx-forwarded-proto: http\r\n");
    private static final byte[] FORWARDED_HTTPS = ascii("\r\nx-forwarded-proto: https\r\n");
    private static final byte[] FORWARDED_HOST = ascii("x-forwarded-host: ");
    private static final byte[] NO_BODY = ascii("content-length: 0\r\n");
    private static final byte[] INSTANCE = ascii(Gateway.INSTANCE_HEADER + ": ");
    private static final byte[] CHUNKED = ascii("transfer-encoding: chunked\r\n");
    private static final byte[] CLOSE = ascii("connection: close\r\n");
    private static final byte[] KEEP_ALIVE = ascii("connection: keep-alive\r\n");
    private static final byte[] LAST_CHUNK = ascii("0\r\n\r\n");
}
