package dev.steward.agent.gateway;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * HTTP/1.x messages read from a connection's bytes, just enough to relay them: each head is read whole
 * (its bytes kept, its lines classed; see {@link Head}), and the body that follows is handed on as
 * slices of the bytes as they came, its end found from Content-Length, the chunked framing, or the
 * connection's close (a response without either). A chunked body is handed on with its framing
 * ({@link #relaysChunks}) or as the chunks' data alone. Heads and chunk lines split anywhere across
 * reads are kept until they are whole; what cannot be HTTP is reported once ({@link Parts#bad}) and
 * nothing is read after it. Pipelined messages come one after the other. Owned by one connection's
 * event loop.
 *
 * <p>A chunked request's trailer lines are checked as header lines are and come with the body's end
 * ({@link Body#trailers}); those that name what the gateway decides on (framing, Host, Connection and
 * the hop-by-hop ones, credentials, {@code X-Steward-*}, the forwarding headers) are left out, as a
 * recipient may (RFC 9110 section 6.5.1), so that no trailer can say what the head was not allowed to.
 *
 * <p>Requests are checked in full (request line, header names and values, one Host, one unambiguous
 * framing); responses only as far as relaying needs (status line, framing), as instances are trusted
 * to speak HTTP and their lines are split at LF whatever they hold.
 */
final class MessageReader {
    /** What the reader finds, in order. */
    interface Parts {
        void head(Head head);

        void body(Body piece);

        /** The bytes cannot be read as HTTP from here on; {@code reply} is a request's answer, or says what is wrong with a response. */
        void bad(Reply reply);
    }

    static final int MAX_LINE = 8192;
    static final int MAX_RESPONSE_HEADER = 64 * 1024;
    private static final int MAX_CHUNK_LINE = 4096;
    private static final int HEAD = 0, FIXED = 1, UNTIL_CLOSE = 2, CHUNK_SIZE = 3, CHUNK_DATA = 4, CHUNK_END = 5, TRAILERS = 6,
            DEAD = 7;

    private final boolean requests;
    private final int maxHeader;
    private final ByteBufAllocator alloc;
    /** Bytes of a head or a chunk line that came without their end, kept for the next read; owned. */
    private ByteBuf pending;
    private int state = HEAD;
    /** Bytes left of a fixed-length body or of a chunk's data. */
    private long left;
    private int trailerBytes;
    /** The trailer lines of the chunked request being read that are passed on, or null; owned until handed on. */
    private ByteBuf trailers;
    private boolean relayChunks;
    /** Whether the response that comes next answers a HEAD request (no body, whatever its head says). */
    private boolean headRequest;
    private boolean switched;
    private final Parsed scratch = new Parsed();

    private MessageReader(boolean requests, int maxHeader, ByteBufAllocator alloc) {
        this.requests = requests;
        this.maxHeader = maxHeader;
        this.alloc = alloc;
    }

    /** Reads a client's requests: chunked bodies come as their data alone. */
    static MessageReader requests(int maxHeader, ByteBufAllocator alloc) {
        return new MessageReader(true, maxHeader, alloc);
    }

    /** Reads an instance's responses: chunked bodies come with their framing unless {@link #relaysChunks} says otherwise. */
    static MessageReader responses(ByteBufAllocator alloc) {
        return new MessageReader(false, MAX_RESPONSE_HEADER, alloc);
    }

    /** The next response answers a HEAD request (or not). */
    void answersHead(boolean head) {
        this.headRequest = head;
    }

    /** Whether the chunked body of the response just read comes with its framing (the default for responses) or as data alone. */
    void relaysChunks(boolean withFraming) {
        this.relayChunks = withFraming;
    }

    /** Stops reading HTTP: what is left of the bytes being read is kept for {@link #leftover()} (a protocol switch). */
    void switchToRaw() {
        switched = true;
    }

    boolean switched() {
        return switched;
    }

    /** The bytes that came after the head that switched protocols, or null; the caller owns them. */
    ByteBuf leftover() {
        ByteBuf b = pending;
        pending = null;
        return b;
    }

    /** Reads nothing more: what comes is dropped. */
    void stop() {
        state = DEAD;
    }

    /** Reads {@code in} (released here), telling {@code p} what it finds. */
    void feed(ByteBuf in, Parts p) {
        ByteBuf buf = in;
        if (pending != null && state != DEAD) {
            buf = pending;
            pending = null;
            buf.writeBytes(in);
            in.release();
        }
        try {
            parse(buf, p);
        } finally {
            if (buf.isReadable() && state != DEAD) {
                if (switched) {
                    pending = buf.readRetainedSlice(buf.readableBytes());
                } else {
                    pending = alloc.buffer(Math.max(256, buf.readableBytes()));
                    pending.writeBytes(buf);
                }
            }
            buf.release();
        }
    }

    /**
     * The connection closed: a response read until the close ends here. Returns whether a message ended so;
     * a message cut short is not reported here (the connection's close says it).
     */
    boolean closed(Parts p) {
        if (state == UNTIL_CLOSE) {
            state = DEAD;
            p.body(Body.END);
            return true;
        }
        return false;
    }

    /** Whether a message is under way: part of a head, or a body not yet whole. */
    boolean midMessage() {
        return state != HEAD && state != DEAD || pending != null && pending.isReadable();
    }

    /** Lets go of what it kept. */
    void release() {
        state = DEAD;
        if (pending != null) {
            pending.release();
            pending = null;
        }
        if (trailers != null) {
            trailers.release();
            trailers = null;
        }
    }

    private void parse(ByteBuf buf, Parts p) {
        while (!switched && buf.isReadable()) {
            switch (state) {
                case HEAD -> {
                    if (!head(buf, p)) return;
                }
                case FIXED -> {
                    int n = (int) Math.min(left, buf.readableBytes());
                    left -= n;
                    boolean last = left == 0;
                    if (last) state = HEAD;
                    p.body(new Body(buf.readRetainedSlice(n), n, last));
                }
                case UNTIL_CLOSE -> {
                    int n = buf.readableBytes();
                    p.body(new Body(buf.readRetainedSlice(n), n, false));
                }
                case DEAD -> {
                    buf.skipBytes(buf.readableBytes());
                    return;
                }
                default -> {
                    if (!chunked(buf, p)) return;
                }
            }
        }
    }

    private void fail(Parts p, Reply why) {
        state = DEAD;
        p.bad(why);
    }

    private Reply error(int status, String reason) {
        return new Reply(requests ? status : 502, reason, null, true);
    }

    // ---- heads -------------------------------------------------------------------------------------

    /** Reads a head when it is whole; false when more bytes are needed (or the bytes are no HTTP). */
    private boolean head(ByteBuf buf, Parts p) {
        int from = buf.readerIndex();
        int to = buf.writerIndex();
        if (requests) { // empty lines before a request line are ignored (RFC 9112 section 2.2)
            while (from < to) {
                byte b = buf.getByte(from);
                if (b == '\n') from++;
                else if (b == '\r' && from + 1 < to && buf.getByte(from + 1) == '\n') from += 2;
                else break;
            }
            buf.readerIndex(from);
            if (from == to) return false;
        }
        int firstLf = buf.indexOf(from, to, (byte) '\n');
        if (firstLf < 0 || firstLf - from > MAX_LINE + 1) {
            if (firstLf >= 0 || to - from > MAX_LINE + 1) {
                fail(p, requests ? new Reply(414, "the request line is over " + MAX_LINE + " bytes", null, true)
                        : error(502, "the status line is over " + MAX_LINE + " bytes"));
            }
            return false;
        }
        int end = -1;
        int at = firstLf + 1;
        while (at < to) {
            byte b = buf.getByte(at);
            if (b == '\n') {
                end = at + 1;
                break;
            }
            if (b == '\r') {
                if (at + 1 >= to) break;
                if (buf.getByte(at + 1) == '\n') {
                    end = at + 2;
                    break;
                }
            }
            int lf = buf.indexOf(at, to, (byte) '\n');
            if (lf < 0) break;
            at = lf + 1;
        }
        int headers = (end < 0 ? to : end) - firstLf - 1;
        if (headers > maxHeader + 2) {
            fail(p, requests ? new Reply(431, "the request's headers are over " + maxHeader + " bytes", null, true)
                    : error(502, "the response's headers are over " + maxHeader + " bytes"));
            return false;
        }
        if (end < 0) return false;
        byte[] raw = new byte[end - from];
        buf.getBytes(from, raw);
        buf.readerIndex(end);
        Parsed parsed = scratch.reset(raw, firstLf - from);
        Reply wrong = parsed.lines(requests);
        if (wrong == null) wrong = requests ? parsed.request() : parsed.response();
        if (wrong != null) {
            fail(p, requests ? wrong : error(502, wrong.reason()));
            return false;
        }
        return requests ? request(parsed, p) : response(parsed, p);
    }

    private boolean request(Parsed parsed, Parts p) {
        RequestHead h = new RequestHead(parsed, parsed.method, parsed.target, parsed.host);
        relayChunks = false;
        if (parsed.chunked) {
            state = CHUNK_SIZE;
            p.head(h);
        } else if (parsed.contentLength > 0) {
            state = FIXED;
            left = parsed.contentLength;
            p.head(h);
        } else {
            state = HEAD;
            p.head(h);
            if (state == HEAD && !switched) p.body(Body.END);
        }
        return true;
    }

    private boolean response(Parsed parsed, Parts p) {
        ResponseHead h = new ResponseHead(parsed, parsed.status, parsed.statusAt);
        int s = parsed.status;
        relayChunks = true;
        if (s < 200) {
            state = HEAD; // an interim response: the final one follows (or, for 101, the other protocol)
            p.head(h);
        } else if (headRequest || s == 204 || s == 304 || parsed.contentLength == 0 && !parsed.chunked) {
            state = HEAD;
            p.head(h);
            if (state == HEAD && !switched) p.body(Body.END);
        } else if (parsed.chunked) {
            state = CHUNK_SIZE;
            p.head(h);
        } else if (parsed.contentLength > 0) {
            state = FIXED;
            left = parsed.contentLength;
            p.head(h);
        } else {
            state = UNTIL_CLOSE;
            p.head(h);
        }
        return true;
    }

    // ---- chunked bodies ------------------------------------------------------------------------------

    /** Reads chunks; true when the body ended (reading goes on with the next head), false when more bytes are needed. */
    private boolean chunked(ByteBuf buf, Parts p) {
        int rawFrom = buf.readerIndex();
        long payload = 0;
        boolean ended = false;
        loop:
        while (buf.isReadable()) {
            int ri = buf.readerIndex();
            switch (state) {
                case CHUNK_SIZE -> {
                    int lf = buf.indexOf(ri, buf.writerIndex(), (byte) '\n');
                    if (lf < 0) {
                        if (buf.readableBytes() > MAX_CHUNK_LINE) {
                            fail(p, error(400, "a chunk's size line is over " + MAX_CHUNK_LINE + " bytes"));
                            return false;
                        }
                        break loop;
                    }
                    long size = chunkSize(buf, ri, lf);
                    if (size < 0) {
                        fail(p, error(400, "a chunk's size line is not a hexadecimal size: '" + line(buf, ri, lf) + "'"));
                        return false;
                    }
                    buf.readerIndex(lf + 1);
                    if (size == 0) {
                        state = TRAILERS;
                        trailerBytes = 0;
                    } else {
                        state = CHUNK_DATA;
                        left = size;
                    }
                }
                case CHUNK_DATA -> {
                    int n = (int) Math.min(left, buf.readableBytes());
                    left -= n;
                    if (left == 0) state = CHUNK_END;
                    if (relayChunks) {
                        buf.skipBytes(n);
                        payload += n;
                    } else {
                        p.body(new Body(buf.readRetainedSlice(n), n, false));
                        if (state == DEAD) return false;
                    }
                }
                case CHUNK_END -> {
                    if (buf.getByte(ri) != '\r') {
                        fail(p, error(400, "a chunk's data is not followed by CRLF"));
                        return false;
                    }
                    if (buf.readableBytes() < 2) break loop;
                    if (buf.getByte(ri + 1) != '\n') {
                        fail(p, error(400, "a chunk's data is not followed by CRLF"));
                        return false;
                    }
                    buf.skipBytes(2);
                    state = CHUNK_SIZE;
                }
                case TRAILERS -> {
                    int lf = buf.indexOf(ri, buf.writerIndex(), (byte) '\n');
                    if (lf < 0) {
                        if (trailerBytes + buf.readableBytes() > maxHeader) {
                            fail(p, error(431, "a chunked body's trailers are over " + maxHeader + " bytes"));
                            return false;
                        }
                        break loop;
                    }
                    trailerBytes += lf + 1 - ri;
                    if (trailerBytes > maxHeader) {
                        fail(p, error(431, "a chunked body's trailers are over " + maxHeader + " bytes"));
                        return false;
                    }
                    boolean empty = lf == ri || lf == ri + 1 && buf.getByte(ri) == '\r';
                    if (!empty && requests) {
                        Reply wrong = trailer(buf, ri, lf);
                        if (wrong != null) {
                            fail(p, wrong);
                            return false;
                        }
                    }
                    buf.readerIndex(lf + 1);
                    if (empty) {
                        state = HEAD;
                        ended = true;
                        break loop;
                    }
                }
                default -> {
                    return false;
                }
            }
        }
        if (relayChunks) {
            int n = buf.readerIndex() - rawFrom;
            if (n > 0 || ended) p.body(new Body(n == 0 ? Body.END.bytes() : buf.retainedSlice(rawFrom, n), payload, ended));
        } else if (ended) {
            ByteBuf t = trailers;
            trailers = null;
            p.body(t == null ? Body.END : new Body(Body.END.bytes(), 0, true, t));
        }
        return ended;
    }

    /**
     * Checks a request's trailer line {@code [from, lf)} as a header line, and keeps it for the instance unless it is one
     * the gateway decides on; the reason when it is malformed, else null.
     */
    private Reply trailer(ByteBuf buf, int from, int lf) {
        byte[] line = new byte[lf - from];
        buf.getBytes(from, line);
        int le = line.length > 0 && line[line.length - 1] == '\r' ? line.length - 1 : line.length;
        if (line[0] == ' ' || line[0] == '\t') return new Reply(400, "a trailer line starts with whitespace (line folding is not accepted)", null, true);
        int colon = indexOf(line, 0, le, (byte) ':');
        if (colon <= 0 || !isToken(line, 0, colon)) {
            return new Reply(400, "a trailer line is not a header line: '" + Reply.abbreviate(text(line, 0, le)) + "'", null, true);
        }
        for (int i = colon + 1; i < le; i++) {
            int b = line[i] & 0xff;
            if (b < 0x20 && b != '\t' || b == 0x7f) return new Reply(400, "the trailer '" + text(line, 0, colon) + "' holds a control character", null, true);
        }
        if (kind(line, 0, colon) != Head.OTHER) return null; // framing, routing, credentials, the gateway's own: left out
        if (trailers == null) trailers = alloc.buffer(le + 2);
        trailers.writeBytes(line, 0, le).writeByte('\r').writeByte('\n');
        return null;
    }

    private static String text(byte[] raw, int from, int to) {
        return new String(raw, from, Math.min(to, from + 200) - from, java.nio.charset.StandardCharsets.ISO_8859_1).replace("\r", "\\r");
    }

    /** A chunk's size from its line (hex digits, then maybe whitespace and extensions); -1 when it is not one. */
    private static long chunkSize(ByteBuf buf, int from, int lf) {
        int end = lf > from && buf.getByte(lf - 1) == '\r' ? lf - 1 : lf;
        long size = 0;
        int digits = 0;
        int i = from;
        for (; i < end; i++) {
            int d = Character.digit(buf.getByte(i), 16);
            if (d < 0) break;
            if (++digits > 15) return -1;
            size = size * 16 + d;
        }
        if (digits == 0) return -1;
        for (; i < end; i++) { // whitespace, then an extension or nothing
            byte b = buf.getByte(i);
            if (b == ';') return size;
            if (b != ' ' && b != '\t') return -1;
        }
        return size;
    }

    private static String line(ByteBuf buf, int from, int lf) {
        int n = Math.min(lf - from, 64);
        return buf.toString(from, n, java.nio.charset.StandardCharsets.ISO_8859_1).replace("\r", "\\r");
    }

    // ---- a head's bytes ------------------------------------------------------------------------------

    /** Whether {@code raw[from, to)} is {@code lower} in any case (ASCII). */
    static boolean is(byte[] raw, int from, int to, String lower) {
        if (to - from != lower.length()) return false;
        for (int i = 0; i < lower.length(); i++) {
            int b = raw[from + i];
            if (b >= 'A' && b <= 'Z') b += 32;
            if (b != lower.charAt(i)) return false;
        }
        return true;
    }

    private static boolean isToken(byte[] raw, int from, int to) {
        if (from >= to) return false;
        for (int i = from; i < to; i++) {
            if (!TCHAR[raw[i] & 0xff]) return false;
        }
        return true;
    }

    private static final boolean[] TCHAR = new boolean[256];

    static {
        for (char c = '0'; c <= '9'; c++) TCHAR[c] = true;
        for (char c = 'a'; c <= 'z'; c++) TCHAR[c] = true;
        for (char c = 'A'; c <= 'Z'; c++) TCHAR[c] = true;
        for (char c : "!#$%&'*+-.^_`|~".toCharArray()) TCHAR[c] = true;
    }

    private static int indexOf(byte[] raw, int from, int to, byte b) {
        for (int i = from; i < to; i++) {
            if (raw[i] == b) return i;
        }
        return -1;
    }

    /** The class of a header from its name (see {@link Head}). */
    static byte kind(byte[] raw, int s, int e) {
        switch (e - s) {
            case 2:
                if (is(raw, s, e, "te")) return Head.HOP;
                break;
            case 4:
                if (is(raw, s, e, "host")) return Head.HOST;
                break;
            case 6:
                if (is(raw, s, e, "cookie")) return Head.COOKIE;
                break;
            case 7:
                if (is(raw, s, e, "upgrade")) return Head.UPGRADE;
                break;
            case 10:
                if (is(raw, s, e, "connection")) return Head.CONNECTION;
                if (is(raw, s, e, "keep-alive")) return Head.HOP;
                break;
            case 13:
                if (is(raw, s, e, "authorization")) return Head.AUTHORIZATION;
                break;
            case 14:
                if (is(raw, s, e, "content-length")) return Head.CONTENT_LENGTH;
                break;
            case 15:
                if (is(raw, s, e, "x-forwarded-for")) return Head.FORWARDED_FOR;
                break;
            case 16:
                if (is(raw, s, e, "x-forwarded-host")) return Head.FORWARDED_HOST;
                if (is(raw, s, e, "proxy-connection")) return Head.HOP;
                break;
            case 17:
                if (is(raw, s, e, "transfer-encoding")) return Head.TRANSFER_ENCODING;
                if (is(raw, s, e, "x-forwarded-proto")) return Head.FORWARDED_PROTO;
                break;
            case 18:
                if (is(raw, s, e, "x-steward-instance")) return Head.INSTANCE;
                if (is(raw, s, e, "proxy-authenticate")) return Head.HOP;
                break;
            case 19:
                if (is(raw, s, e, "proxy-authorization")) return Head.HOP;
                break;
            default:
                break;
        }
        if (e - s > 10 && is(raw, s, s + 10, "x-steward-")) return Head.STEWARD;
        return Head.OTHER;
    }

    /** A head being read: its lines, then what they say; made into a {@link RequestHead} or {@link ResponseHead}. */
    static final class Parsed {
        static final Parsed EMPTY = new Parsed().reset(new byte[0], 0);
        byte[] raw;
        int startEnd;
        /** Scratch, reused from head to head of a reader: a head takes copies of the used part. */
        int[] at = new int[32];
        byte[] kinds = new byte[8];
        int count;
        boolean http10;
        long contentLength;
        boolean chunked;
        boolean connectionClose, connectionKeepAlive, connectionUpgrade, connectionNames, hasUpgrade;
        String method, target, host;
        int status, statusAt;
        private int transferEncodings;

        /** Starts on a new head's bytes, whose first line feed is at {@code firstLf}. */
        Parsed reset(byte[] raw, int firstLf) {
            this.raw = raw;
            this.startEnd = firstLf > 0 && raw[firstLf - 1] == '\r' ? firstLf - 1 : firstLf;
            count = 0;
            http10 = false;
            contentLength = -1;
            chunked = connectionClose = connectionKeepAlive = connectionUpgrade = connectionNames = hasUpgrade = false;
            method = target = host = null;
            status = statusAt = transferEncodings = 0;
            return this;
        }

        /** Reads the header lines; the reason when they are malformed, else null. */
        Reply lines(boolean requests) {
            int ls = indexOf(raw, 0, raw.length, (byte) '\n') + 1;
            while (ls < raw.length) {
                int lf = indexOf(raw, ls, raw.length, (byte) '\n');
                int le = lf > ls && raw[lf - 1] == '\r' ? lf - 1 : lf;
                if (le == ls) break; // the empty line
                if (raw[ls] == ' ' || raw[ls] == '\t') return bad("a header line starts with whitespace (line folding is not accepted)");
                int colon = indexOf(raw, ls, le, (byte) ':');
                if (colon < 0) return bad("a header line has no colon: '" + text(ls, le) + "'");
                if (requests && !isToken(raw, ls, colon)) return bad("the header name '" + text(ls, colon) + "' is not a valid name");
                if (colon == ls) return bad("a header line has no name: '" + text(ls, le) + "'");
                int vs = colon + 1;
                while (vs < le && (raw[vs] == ' ' || raw[vs] == '\t')) vs++;
                int ve = le;
                while (ve > vs && (raw[ve - 1] == ' ' || raw[ve - 1] == '\t')) ve--;
                if (requests) {
                    for (int i = vs; i < ve; i++) {
                        int b = raw[i] & 0xff;
                        if (b < 0x20 && b != '\t' || b == 0x7f) return bad("the header '" + text(ls, colon) + "' holds a control character");
                    }
                }
                byte kind = kind(raw, ls, colon);
                add(ls, colon, vs, ve, kind);
                Reply wrong = understand(kind, vs, ve, requests);
                if (wrong != null) return wrong;
                ls = lf + 1;
            }
            if (requests && chunked && contentLength >= 0) {
                return bad("both Content-Length and Transfer-Encoding are set: where the body ends is ambiguous");
            }
            return null;
        }

        private void add(int ns, int ne, int vs, int ve, byte kind) {
            if (4 * count + 4 > at.length) at = java.util.Arrays.copyOf(at, at.length * 2);
            if (count + 1 > kinds.length) kinds = java.util.Arrays.copyOf(kinds, kinds.length * 2);
            at[4 * count] = ns;
            at[4 * count + 1] = ne;
            at[4 * count + 2] = vs;
            at[4 * count + 3] = ve;
            kinds[count++] = kind;
        }

        private Reply understand(byte kind, int vs, int ve, boolean requests) {
            switch (kind) {
                case Head.HOST -> {
                    if (host != null && requests) return bad("the request has more than one Host header");
                    host = new String(raw, vs, ve - vs, java.nio.charset.StandardCharsets.ISO_8859_1);
                }
                case Head.CONTENT_LENGTH -> {
                    long n = 0;
                    if (ve == vs || ve - vs > 18) return bad("Content-Length '" + text(vs, ve) + "' is not a length");
                    for (int i = vs; i < ve; i++) {
                        if (raw[i] < '0' || raw[i] > '9') return bad("Content-Length '" + text(vs, ve) + "' is not a length");
                        n = n * 10 + raw[i] - '0';
                    }
                    if (contentLength >= 0 && contentLength != n) return bad("two Content-Length headers disagree");
                    contentLength = n;
                }
                case Head.TRANSFER_ENCODING -> {
                    int last = ve;
                    int comma = ve;
                    while (comma > vs && raw[comma - 1] != ',') comma--;
                    int ts = comma;
                    while (ts < last && (raw[ts] == ' ' || raw[ts] == '\t')) ts++;
                    boolean isChunked = is(raw, ts, last, "chunked");
                    if (requests) {
                        if (++transferEncodings > 1 || comma != vs || !isChunked) {
                            return bad("Transfer-Encoding '" + text(vs, ve) + "' is not accepted: only chunked");
                        }
                    }
                    chunked = isChunked;
                }
                case Head.CONNECTION -> {
                    int s = vs;
                    while (s <= ve) {
                        int c = indexOf(raw, s, ve, (byte) ',');
                        int e = c < 0 ? ve : c;
                        int ts = s;
                        int te = e;
                        while (ts < te && (raw[ts] == ' ' || raw[ts] == '\t')) ts++;
                        while (te > ts && (raw[te - 1] == ' ' || raw[te - 1] == '\t')) te--;
                        if (is(raw, ts, te, "close")) connectionClose = true;
                        else if (is(raw, ts, te, "keep-alive")) connectionKeepAlive = true;
                        else if (is(raw, ts, te, "upgrade")) connectionUpgrade = true;
                        else if (te > ts) connectionNames = true;
                        s = e + 1;
                    }
                }
                case Head.UPGRADE -> hasUpgrade = true;
                default -> {
                }
            }
            return null;
        }

        /** Reads a request line; the reason when it is malformed, else null. */
        Reply request() {
            int sp1 = indexOf(raw, 0, startEnd, (byte) ' ');
            int sp2 = sp1 < 0 ? -1 : indexOf(raw, sp1 + 1, startEnd, (byte) ' ');
            if (sp1 <= 0 || sp2 < 0 || sp2 == sp1 + 1) return bad("malformed request line: '" + Reply.abbreviate(text(0, startEnd)) + "'");
            if (!isToken(raw, 0, sp1)) return bad("the method '" + Reply.abbreviate(text(0, sp1)) + "' is not a valid method");
            for (int i = sp1 + 1; i < sp2; i++) {
                int b = raw[i] & 0xff;
                if (b < 0x21 || b == 0x7f) return bad("the request target holds a control character or whitespace");
            }
            if (is(raw, sp2 + 1, startEnd, "http/1.1")) http10 = false;
            else if (is(raw, sp2 + 1, startEnd, "http/1.0")) http10 = true;
            else return bad("the protocol '" + Reply.abbreviate(text(sp2 + 1, startEnd)) + "' is not HTTP/1.1 or HTTP/1.0");
            if (raw[sp2 + 1] != 'H' || raw[sp2 + 2] != 'T' || raw[sp2 + 3] != 'T' || raw[sp2 + 4] != 'P') {
                return bad("the protocol '" + text(sp2 + 1, startEnd) + "' is not HTTP/1.1 or HTTP/1.0");
            }
            method = method(sp1);
            target = new String(raw, sp1 + 1, sp2 - sp1 - 1, java.nio.charset.StandardCharsets.ISO_8859_1);
            return null;
        }

        private String method(int end) {
            for (int i = 0; i < METHODS.length; i++) {
                byte[] m = METHOD_BYTES[i];
                if (end == m.length && java.util.Arrays.equals(raw, 0, end, m, 0, end)) return METHODS[i];
            }
            return new String(raw, 0, end, java.nio.charset.StandardCharsets.ISO_8859_1);
        }

        /** Reads a status line; the reason when it is malformed, else null. */
        Reply response() {
            if (startEnd < 12 || !is(raw, 0, 7, "http/1.") || raw[8] != ' ') return bad("malformed status line: '" + Reply.abbreviate(text(0, startEnd)) + "'");
            http10 = raw[7] == '0';
            int s = 0;
            for (int i = 9; i < 12; i++) {
                if (raw[i] < '0' || raw[i] > '9') return bad("malformed status line: '" + Reply.abbreviate(text(0, startEnd)) + "'");
                s = s * 10 + raw[i] - '0';
            }
            if (startEnd > 12 && raw[12] != ' ') return bad("malformed status line: '" + Reply.abbreviate(text(0, startEnd)) + "'");
            status = s;
            statusAt = 9;
            return null;
        }

        private String text(int from, int to) {
            return new String(raw, from, Math.min(to, from + 200) - from, java.nio.charset.StandardCharsets.ISO_8859_1)
                    .replace("\r", "\\r");
        }

        private static Reply bad(String reason) {
            return new Reply(400, reason, null, true);
        }
    }

    private static final String[] METHODS = {"GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "PATCH", "TRACE", "CONNECT"};
    private static final byte[][] METHOD_BYTES = java.util.Arrays.stream(METHODS)
            .map(m -> m.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1)).toArray(byte[][]::new);
}
