package dev.steward.agent.gateway;

import java.nio.charset.StandardCharsets;

/**
 * A message head as it came, bytes and all (see {@link MessageReader}): its start line and header
 * lines are kept as offsets into the bytes, each header line classed once by its name, so that the
 * head can be written on with a few lines left out or added, without a header object per line. What
 * finds the body's end (Content-Length, chunked, the connection's close) and what the Connection
 * header says are worked out when it is read. Not changed once read.
 */
abstract sealed class Head permits RequestHead, ResponseHead {
    // header classes: what the gateway does with each line depends only on these
    static final byte OTHER = 0, HOST = 1, CONTENT_LENGTH = 2, TRANSFER_ENCODING = 3, CONNECTION = 4, HOP = 5, UPGRADE = 6,
            STEWARD = 7, INSTANCE = 8, FORWARDED_FOR = 9, FORWARDED_PROTO = 10, FORWARDED_HOST = 11, AUTHORIZATION = 12,
            COOKIE = 13;

    /** The head's bytes: start line, header lines, the empty line. */
    final byte[] raw;
    /** Where the start line ends (before its CR LF or LF). */
    final int startEnd;
    /** Per header line: name start, name end, value start, value end (values without the whitespace around them). */
    final int[] at;
    final byte[] kinds;
    final int count;
    /** Whether the start line says HTTP/1.0 (else HTTP/1.1). */
    final boolean http10;
    /** Content-Length, or -1 when none. */
    final long contentLength;
    /** Whether the body is chunked (Transfer-Encoding ends with chunked). */
    final boolean chunked;
    /** Whether the connection stays open after this message, as its version and Connection header say. */
    final boolean keepAlive;
    /** Whether Connection names an upgrade and an Upgrade header is there. */
    final boolean upgrade;
    /** Whether Connection names headers of its own (beyond close, keep-alive and upgrade), which are then not passed on. */
    final boolean connectionNames;

    Head(MessageReader.Parsed p) {
        this.raw = p.raw;
        this.startEnd = p.startEnd;
        this.at = java.util.Arrays.copyOf(p.at, 4 * p.count);
        this.kinds = java.util.Arrays.copyOf(p.kinds, p.count);
        this.count = p.count;
        this.http10 = p.http10;
        this.contentLength = p.contentLength;
        this.chunked = p.chunked;
        this.keepAlive = p.http10 ? p.connectionKeepAlive && !p.connectionClose : !p.connectionClose;
        this.upgrade = p.connectionUpgrade && p.hasUpgrade;
        this.connectionNames = p.connectionNames;
    }

    /** The first value of a header of class {@code kind} (not {@link #OTHER}), or null. */
    final String value(byte kind) {
        for (int i = 0; i < count; i++) {
            if (kinds[i] == kind) return string(at[4 * i + 2], at[4 * i + 3]);
        }
        return null;
    }

    /** The first value of the header named {@code lower} (in lower case), or null. */
    final String value(String lower) {
        for (int i = 0; i < count; i++) {
            if (nameIs(i, lower)) return string(at[4 * i + 2], at[4 * i + 3]);
        }
        return null;
    }

    final boolean nameIs(int i, String lower) {
        return MessageReader.is(raw, at[4 * i], at[4 * i + 1], lower);
    }

    final String name(int i) {
        return string(at[4 * i], at[4 * i + 1]).toLowerCase(java.util.Locale.ROOT);
    }

    final String string(int from, int to) {
        return new String(raw, from, to - from, StandardCharsets.ISO_8859_1);
    }

    /** The lower-case names that Connection lists beyond close, keep-alive and upgrade (framing headers never among them). */
    final java.util.Set<String> namedByConnection() {
        java.util.Set<String> names = new java.util.HashSet<>();
        for (int i = 0; i < count; i++) {
            if (kinds[i] != CONNECTION) continue;
            for (String token : string(at[4 * i + 2], at[4 * i + 3]).split(",")) {
                String t = token.strip().toLowerCase(java.util.Locale.ROOT);
                if (t.isEmpty() || t.equals("close") || t.equals("keep-alive") || t.equals("upgrade")) continue;
                if (t.equals("transfer-encoding") || t.equals("content-length")) continue; // framing: never dropped
                names.add(t);
            }
        }
        return names;
    }
}
