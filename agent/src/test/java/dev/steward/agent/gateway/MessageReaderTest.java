package dev.steward.agent.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** HTTP/1.x read from bytes split anywhere: heads, bodies by length, chunked and until close, pipelining, and bad input. */
class MessageReaderTest {
    private static final UnpooledByteBufAllocator ALLOC = UnpooledByteBufAllocator.DEFAULT;

    /** What a reader found: heads, bodies (bytes joined, payload summed, ends counted), the first refusal. */
    static final class Found implements MessageReader.Parts {
        final List<Head> heads = new ArrayList<>();
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        long payload;
        int ends;
        /** Per message, the body bytes up to its end. */
        final List<String> bodies = new ArrayList<>();
        private final ByteArrayOutputStream current = new ByteArrayOutputStream();
        Reply bad;
        /** The trailer lines that came with each body's end, where some did. */
        final List<String> trailers = new ArrayList<>();
        /** What happens, in order: H for a head, E for a body's end, X for bad input. */
        final StringBuilder order = new StringBuilder();

        @Override
        public void head(Head head) {
            heads.add(head);
            order.append('H');
        }

        @Override
        public void body(Body piece) {
            if (piece.trailers() != null) {
                assertThat(piece.last()).as("trailers come with the end").isTrue();
                trailers.add(piece.trailers().toString(StandardCharsets.ISO_8859_1));
            }
            byte[] b = new byte[piece.bytes().readableBytes()];
            piece.bytes().readBytes(b);
            piece.release();
            bytes.writeBytes(b);
            current.writeBytes(b);
            payload += piece.payload();
            if (piece.last()) {
                ends++;
                order.append('E');
                bodies.add(current.toString(StandardCharsets.ISO_8859_1));
                current.reset();
            }
        }

        @Override
        public void bad(Reply reply) {
            assertThat(bad).as("bad input is reported once").isNull();
            bad = reply;
            order.append('X');
        }
    }

    private static ByteBuf bytes(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.ISO_8859_1);
    }

    /** Feeds {@code input} in pieces cut at {@code cuts}. */
    private static Found feed(MessageReader r, String input, int... cuts) {
        Found f = new Found();
        int from = 0;
        for (int cut : cuts) {
            r.feed(bytes(input.substring(from, cut)), f);
            from = cut;
        }
        r.feed(bytes(input.substring(from)), f);
        return f;
    }

    private static MessageReader requests() {
        return MessageReader.requests(16 * 1024, ALLOC);
    }

    private static MessageReader responses() {
        return MessageReader.responses(ALLOC);
    }

    @Test
    void aRequestHeadSaysWhatRoutingAndFramingNeed() {
        Found f = feed(requests(), "POST /svc/a?b=1 HTTP/1.1\r\nHost: example.com\r\nContent-Length: 5\r\nX-Steward-Tag: t\r\n"
                + "Connection: keep-alive, X-Drop\r\nX-Drop: 1\r\n\r\nhello");
        RequestHead h = (RequestHead) f.heads.get(0);
        assertThat(h.method).isEqualTo("POST");
        assertThat(h.target).isEqualTo("/svc/a?b=1");
        assertThat(h.host).isEqualTo("example.com");
        assertThat(h.contentLength).isEqualTo(5);
        assertThat(h.keepAlive).isTrue();
        assertThat(h.connectionNames).isTrue();
        assertThat(h.namedByConnection()).containsExactly("x-drop");
        assertThat(h.value("x-steward-tag")).isEqualTo("t");
        assertThat(f.bodies).containsExactly("hello");
        assertThat(f.bad).isNull();
        String longTarget = "/svc/" + "p".repeat(5000) + "?q=" + "v".repeat(2000);
        Found g = feed(requests(), "GET " + longTarget + " HTTP/1.0\r\n\r\n");
        assertThat(((RequestHead) g.heads.get(0)).target).isEqualTo(longTarget);
        assertThat(g.heads.get(0).http10).isTrue();
        assertThat(g.heads.get(0).keepAlive).isFalse();
    }

    @Test
    void aHeadSplitAtAnyByteReadsTheSame() {
        String req = "GET /a HTTP/1.1\r\nHost: h\r\nAccept: */*\r\n\r\n";
        for (int cut = 1; cut < req.length(); cut++) {
            Found f = feed(requests(), req, cut);
            assertThat(f.heads).as("cut at " + cut).hasSize(1);
            assertThat(((RequestHead) f.heads.get(0)).target).isEqualTo("/a");
            assertThat(f.order.toString()).as("cut at " + cut).isEqualTo("HE");
        }
        // and one byte at a time
        int[] every = new int[req.length() - 1];
        for (int i = 0; i < every.length; i++) every[i] = i + 1;
        assertThat(feed(requests(), req, every).order.toString()).isEqualTo("HE");
    }

    @Test
    void pipelinedRequestsComeInOrderWithTheirBodies() {
        String two = "POST /1 HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc"
                + "GET /2 HTTP/1.1\r\nHost: h\r\n\r\n"
                + "POST /3 HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nxy\r\n0\r\n\r\n";
        for (int cut = 1; cut < two.length(); cut += 7) {
            Found f = feed(requests(), two, cut);
            assertThat(f.order.toString()).as("cut at " + cut).isEqualTo("HEHEHE");
            assertThat(f.bodies).containsExactly("abc", "", "xy");
            assertThat(f.heads).extracting(h -> ((RequestHead) h).target).containsExactly("/1", "/2", "/3");
        }
    }

    @Test
    void aChunkedRequestBodySplitAnywhereGivesItsDataAlone() {
        String req = "POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5\r\nhello\r\n1a;ext=1\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\nTrailer-A: 1\r\n\r\n";
        for (int a = 1; a < req.length(); a++) {
            for (int b = a + 1; b < req.length(); b += 5) {
                Found f = feed(requests(), req, a, b);
                assertThat(f.bad).as("cuts " + a + "," + b).isNull();
                assertThat(f.bodies).as("cuts " + a + "," + b).containsExactly("helloabcdefghijklmnopqrstuvwxyz");
                assertThat(f.payload).isEqualTo(31);
                assertThat(f.ends).isEqualTo(1);
                assertThat(f.trailers).as("cuts " + a + "," + b).containsExactly("Trailer-A: 1\r\n");
            }
        }
    }

    @Test
    void aChunkedRequestsTrailersAreCheckedAndThoseTheGatewayDecidesOnLeftOut() {
        String req = "POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n"
                + "X-Sum: 1\r\nHost: evil\r\nContent-Length: 5\r\nTransfer-Encoding: gzip\r\nX-Steward-Role: admin\r\n"
                + "X-Steward-Instance: forged\r\nX-Forwarded-For: 10.0.0.9\r\nAuthorization: Basic eDp5\r\nCookie: steward-token=t\r\n"
                + "Connection: close\r\nKeep-Alive: 1\r\nx-other:  v\r\n\r\n"
                + "GET /next HTTP/1.1\r\nHost: h\r\n\r\n";
        for (int cut = 1; cut < req.length(); cut += 3) {
            Found f = feed(requests(), req, cut);
            assertThat(f.bad).as("cut " + cut).isNull();
            assertThat(f.bodies).as("cut " + cut).containsExactly("ok", "");
            assertThat(f.trailers).as("cut " + cut).containsExactly("X-Sum: 1\r\nx-other:  v\r\n");
            assertThat(f.order.toString()).isEqualTo("HEHE");
        }
        Found none = feed(requests(), "POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nHost: evil\r\n\r\n");
        assertThat(none.trailers).as("none left: the end comes alone").isEmpty();
        assertThat(none.ends).isEqualTo(1);

        String chunked = "POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n";
        assertThat(refusal(chunked + "No colon here\r\n\r\n")).contains("not a header line");
        assertThat(refusal(chunked + "Bad Name: x\r\n\r\n")).contains("not a header line");
        assertThat(refusal(chunked + ": no name\r\n\r\n")).contains("not a header line");
        assertThat(refusal(chunked + " folded: x\r\n\r\n")).contains("folding");
        assertThat(refusal(chunked + "X-Sum: a\u0001b\r\n\r\n")).contains("'X-Sum'").contains("control character");
        assertThat(refusal(chunked + "X-Big: " + "a".repeat(20_000) + "\r\n\r\n")).contains("trailers are over");
    }

    @Test
    void theLastChunkCarriesTheTrailersKept() {
        ByteBuf kept = Unpooled.copiedBuffer("X-Sum: 1\r\n", StandardCharsets.ISO_8859_1);
        ByteBuf b = Heads.lastChunk(ALLOC, kept);
        assertThat(b.toString(StandardCharsets.ISO_8859_1)).isEqualTo("0\r\nX-Sum: 1\r\n\r\n");
        assertThat(kept.refCnt()).as("the trailers were released").isZero();
        b.release();
        ByteBuf plain = Heads.lastChunk(ALLOC, null);
        assertThat(plain.toString(StandardCharsets.ISO_8859_1)).isEqualTo("0\r\n\r\n");
        plain.release();
    }

    @Test
    void aChunkedResponseIsRelayedWithItsFramingSplitAnywhere() {
        String body = "4\r\nWiki\r\n5\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\nX-T: 1\r\n\r\n";
        String res = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + body;
        for (int a = 1; a < res.length(); a++) {
            Found f = feed(responses(), res + "HTTP/1.1 204 No Content\r\n\r\n", a);
            assertThat(f.bad).as("cut " + a).isNull();
            assertThat(f.bodies).as("cut " + a).containsExactly(body, "");
            assertThat(f.payload).isEqualTo(4 + 5 + 14);
            assertThat(((ResponseHead) f.heads.get(1)).status).isEqualTo(204);
        }
        // for an HTTP/1.0 client: the data alone
        MessageReader r = responses();
        Found f = new Found();
        MessageReader.Parts unchunk = new MessageReader.Parts() {
            @Override
            public void head(Head head) {
                r.relaysChunks(false);
                f.head(head);
            }

            @Override
            public void body(Body piece) {
                f.body(piece);
            }

            @Override
            public void bad(Reply reply) {
                f.bad(reply);
            }
        };
        r.feed(bytes(res.substring(0, 60)), unchunk);
        r.feed(bytes(res.substring(60)), unchunk);
        assertThat(f.bodies).containsExactly("Wikipedia in\r\n\r\nchunks.");
    }

    @Test
    void aResponseWithoutLengthEndsWithTheConnection() {
        MessageReader r = responses();
        Found f = feed(r, "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\npart one ", 30);
        r.feed(bytes("part two"), f);
        assertThat(f.ends).isZero();
        assertThat(r.closed(f)).isTrue();
        assertThat(f.bodies).containsExactly("part one part two");
        assertThat(((ResponseHead) f.heads.get(0)).keepAlive).isFalse();
    }

    @Test
    void interimAndBodilessResponsesHaveNoBody() {
        MessageReader r = responses();
        r.answersHead(true);
        Found f = feed(r, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n");
        assertThat(f.order.toString()).isEqualTo("HHE");
        r.answersHead(false);
        Found g = feed(r, "HTTP/1.1 304 Not Modified\r\nContent-Length: 100\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        assertThat(g.order.toString()).isEqualTo("HEHE");
        assertThat(g.bodies).containsExactly("", "ok");
    }

    @Test
    void aProtocolSwitchKeepsWhatFollowsTheHead() {
        MessageReader r = responses();
        Found f = new Found();
        r.feed(bytes("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n\u0081\u0002hi"),
                new MessageReader.Parts() {
                    @Override
                    public void head(Head head) {
                        r.switchToRaw();
                        f.head(head);
                    }

                    @Override
                    public void body(Body piece) {
                        f.body(piece);
                    }

                    @Override
                    public void bad(Reply reply) {
                        f.bad(reply);
                    }
                });
        assertThat(f.order.toString()).isEqualTo("H");
        ByteBuf rest = r.leftover();
        assertThat(rest.toString(StandardCharsets.ISO_8859_1)).isEqualTo("\u0081\u0002hi");
        rest.release();
    }

    @Test
    void headsTooLargeAreRefusedEvenWhenTheyComeInPieces() {
        String longLine = "GET /" + "u".repeat(9000) + " HTTP/1.1\r\nHost: h\r\n\r\n";
        Found f = feed(requests(), longLine, 100, 4000, 8000);
        assertThat(f.bad.status()).isEqualTo(414);
        assertThat(f.heads).isEmpty();
        String bigHeaders = "GET / HTTP/1.1\r\nHost: h\r\nX-Big: " + "a".repeat(20_000) + "\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n";
        Found g = feed(requests(), bigHeaders, 50, 10_000, 16_000);
        assertThat(g.bad.status()).isEqualTo(431);
        assertThat(g.bad.reason()).contains("16384");
        assertThat(g.order.toString()).as("nothing read after").isEqualTo("X");
        // a line with no end, growing past the bound, is refused before the end comes
        MessageReader r = requests();
        Found h = new Found();
        for (int i = 0; i < 10 && h.bad == null; i++) r.feed(bytes("x".repeat(1000)), h);
        assertThat(h.bad.status()).isEqualTo(414);
        r.release();
    }

    @Test
    void badInputIsAnsweredWithWhatIsWrong() {
        assertThat(refusal("NONSENSE\r\n\r\n")).contains("malformed request line");
        assertThat(refusal("GET / HTTP/2.0\r\nHost: h\r\n\r\n")).contains("HTTP/2.0");
        assertThat(refusal("G(T / HTTP/1.1\r\nHost: h\r\n\r\n")).contains("method");
        assertThat(refusal("GET / HTTP/1.1\r\nBad Header: x\r\n\r\n")).contains("'Bad Header'");
        assertThat(refusal("GET / HTTP/1.1\r\nHost: h\r\nX: a\u0001b\r\n\r\n")).contains("control character");
        assertThat(refusal("GET / HTTP/1.1\r\nHost: h\r\nX: a\r\n folded\r\n\r\n")).contains("folding");
        assertThat(refusal("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n")).contains("more than one Host");
        assertThat(refusal("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"))
                .contains("ambiguous");
        assertThat(refusal("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n")).contains("disagree");
        assertThat(refusal("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: -3\r\n\r\n")).contains("not a length");
        assertThat(refusal("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n")).contains("only chunked");
        assertThat(refusal("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")).contains("hexadecimal");
        assertThat(refusal("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n")).contains("CRLF");
        assertThat(refusal("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n" + "1".repeat(20) + "\r\n"))
                .contains("hexadecimal");
    }

    /** The reason a request is refused for; the status is 4xx. */
    private static String refusal(String request) {
        Found f = feed(requests(), request);
        assertThat(f.bad).as(request).isNotNull();
        assertThat(f.bad.status()).isBetween(400, 499);
        return f.bad.reason();
    }

    @Test
    void aBodyCutInHalfIsNotAnEnd() {
        MessageReader r = requests();
        Found f = feed(r, "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\nhalf");
        assertThat(f.ends).isZero();
        assertThat(r.midMessage()).isTrue();
        assertThat(r.closed(f)).isFalse();
        MessageReader s = responses();
        Found g = feed(s, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab");
        assertThat(g.ends).isZero();
        assertThat(s.closed(g)).isFalse();
        s.release();
    }

    @Test
    void theRequestAsInstancesGetItLeavesHopByHopAndStewardHeadersOut() {
        Found f = feed(requests(), "GET /svc/x HTTP/1.1\r\nHost: example.com\r\nConnection: keep-alive, X-Drop\r\nX-Drop: 1\r\n"
                + "Keep-Alive: 5\r\nTE: trailers\r\nUpgrade: h2c\r\nX-Steward-Instance: forged\r\nX-Forwarded-For: 10.0.0.1\r\n"
                + "x-forwarded-proto: https\r\nAccept:  */* \r\n\r\n");
        RequestHead h = (RequestHead) f.heads.get(0);
        ByteBuf b = Heads.forInstance(ALLOC, h, "/x", "127.0.0.1:9000", "192.0.2.1", false, false);
        String out = b.toString(StandardCharsets.ISO_8859_1);
        b.release();
        assertThat(out).startsWith("GET /x HTTP/1.1\r\nhost: 127.0.0.1:9000\r\n").endsWith("\r\n\r\n")
                .contains("Accept:  */*\r\n", "x-forwarded-for: 10.0.0.1, 192.0.2.1\r\n", "x-forwarded-proto: http\r\n",
                        "x-forwarded-host: example.com\r\n")
                .doesNotContain("X-Drop", "Keep-Alive", "TE:", "Upgrade", "forged", "https", "Connection", "example.com\r\nhost");
    }

    @Test
    void theResponseAsTheClientGetsItIsFramedForIt() {
        RequestHead get11 = (RequestHead) feed(requests(), "GET / HTTP/1.1\r\nHost: h\r\n\r\n").heads.get(0);
        RequestHead get10 = (RequestHead) feed(requests(), "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").heads.get(0);
        MessageReader r = responses();
        ResponseHead untilClose = (ResponseHead) feed(r, "HTTP/1.1 200 Fine\r\nConnection: close, X-Hop\r\nX-Hop: 1\r\n"
                + "X-Steward-Instance: other\r\n\r\n").heads.get(0);
        Heads.ForClient c = Heads.forClient(untilClose, get11, true, true);
        assertThat(c.framing()).isEqualTo(Heads.Framing.CHUNKED_ANEW);
        assertThat(c.keepAlive()).isTrue();
        ByteBuf b = Heads.forClient(ALLOC, untilClose, get11, "svc-1", c);
        assertThat(b.toString(StandardCharsets.ISO_8859_1)).isEqualTo(
                "HTTP/1.1 200 Fine\r\nx-steward-instance: svc-1\r\ntransfer-encoding: chunked\r\n\r\n");
        b.release();
        r.release();
        ResponseHead chunked = (ResponseHead) feed(responses(), "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
                + "Content-Length: 9\r\n\r\n").heads.get(0);
        Heads.ForClient old = Heads.forClient(chunked, get10, true, true);
        assertThat(old.framing()).isEqualTo(Heads.Framing.UNCHUNKED);
        assertThat(old.keepAlive()).isFalse();
        ByteBuf o = Heads.forClient(ALLOC, chunked, get10, "svc-1", old);
        assertThat(o.toString(StandardCharsets.ISO_8859_1)).isEqualTo(
                "HTTP/1.1 200 OK\r\nx-steward-instance: svc-1\r\nconnection: close\r\n\r\n");
        o.release();
        assertThat(Heads.forClient(chunked, get11, false, true).keepAlive()).as("an unread request body").isFalse();
    }
}
