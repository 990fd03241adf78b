package dev.steward.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.msgpack.value.Value;
import org.msgpack.value.ValueFactory;

/** Golden frames for every message of the protocol, both ways, and what is refused. */
class FrameCodecTest {
    static final HexFormat HEX = HexFormat.of();

    static Value s(String text) {
        return FrameWriter.text(text);
    }

    static Value i(long n) {
        return ValueFactory.newInteger(n);
    }

    static Frame f(long message, long session, Value... args) {
        return new Frame(message, session, List.of(args));
    }

    /** Encodes to exactly {@code hex}, and reads back to the same frame (strings read back as strings). */
    static void golden(Frame frame, String hex) throws Exception {
        byte[] bytes = FrameWriter.encode(frame);
        assertThat(HEX.formatHex(bytes)).as(frame.toString()).isEqualTo(hex.replace(" ", ""));
        List<Frame> back = new FrameReader().feed(bytes);
        assertThat(back).hasSize(1);
        assertThat(back.get(0).message()).isEqualTo(frame.message());
        assertThat(back.get(0).session()).isEqualTo(frame.session());
        assertThat(back.get(0).args()).hasSameSizeAs(frame.args());
    }

    @Test
    void repliesSharedByEveryService() throws Exception {
        golden(f(4, 1, s("hi")), "93 04 01 91 a2 6869");
        golden(FrameWriter.chunk(7, new byte[] {1, 2, 3}), "93 04 07 91 a3 010203");
        golden(FrameWriter.error(2, 2, "the queue is full"), "93 05 02 92 02 b1 " + HEX.formatHex("the queue is full".getBytes()));
        golden(FrameWriter.choke(9), "93 06 09 90");
        golden(FrameWriter.error(1, 1, "unknown message type"), "93 05 01 92 01 b4 " + HEX.formatHex("unknown message type".getBytes()));
    }

    @Test
    void workerMessages() throws Exception {
        String uuid = "0b7d1b2e-3c4f-4a5b-8c6d-7e8f9a0b1c2d";
        golden(f(0, 0, s(uuid)), "93 00 00 91 da 0024 " + HEX.formatHex(uuid.getBytes())); // raw16: no str8 for 36 bytes
        golden(f(1, 0), "93 01 00 90");
        golden(f(2, 0, i(1), s("slave is idle")), "93 02 00 92 01 ad " + HEX.formatHex("slave is idle".getBytes()));
        golden(f(3, 5, s("ping")), "93 03 05 91 a4 70696e67");
    }

    @Test
    void locatorNodeAppAndLoggingCalls() throws Exception {
        golden(f(0, 1, s("echo")), "93 00 01 91 a4 6563686f"); // resolve / enqueue-style call with one string
        golden(f(1, 2), "93 01 02 90"); // synchronize, info, verbosity
        golden(f(0, 3, ValueFactory.newMap(Map.of(s("echo"), s("default")))),
                "93 00 03 91 81 a4 6563686f a7 " + HEX.formatHex("default".getBytes())); // start_app
        golden(f(1, 4, ValueFactory.newArray(s("echo"))), "93 01 04 91 91 a4 6563686f"); // pause_app
        golden(f(0, 5, s("ping"), s("data"), s("w1")), "93 00 05 93 a4 70696e67 a4 64617461 a2 7731"); // enqueue with tag
        golden(f(0, 6, i(3), s("app/echo"), s("started")), "93 00 06 93 03 a8 " + HEX.formatHex("app/echo".getBytes()) + " a7 "
                + HEX.formatHex("started".getBytes())); // logging emit
    }

    @Test
    void largeIdsKeepTheirWidth() throws Exception {
        golden(f(0xFFFF_FFFFL, 0x1_0000_0000L), "93 ce ffffffff cf 0000000100000000 90");
        golden(f(6, -1L), "93 06 cf ffffffffffffffff 90"); // session 2^64-1, kept in a long's bits
        golden(f(4, 1, ValueFactory.newBinary(new byte[300])), "93 04 01 91 da 012c " + "00".repeat(300)); // bin written as raw16
    }

    @Test
    void readsStr8AndBinFromNewerPeers() throws Exception {
        byte[] str8 = HEX.parseHex("930401" + "91" + "d9" + "28" + "61".repeat(40));
        byte[] bin8 = HEX.parseHex("930401" + "91" + "c4" + "03" + "010203");
        assertThat(new FrameReader().feed(str8).get(0).args().get(0).asStringValue().asString()).isEqualTo("a".repeat(40));
        assertThat(new FrameReader().feed(bin8).get(0).args().get(0).asBinaryValue().asByteArray()).containsExactly(1, 2, 3);
    }

    @Test
    void framesCutAnywhereAreReadWholeAndInOrder() throws Exception {
        List<Frame> sent = new ArrayList<>();
        for (int n = 0; n < 50; n++) sent.add(FrameWriter.chunk(n, ("piece " + n + "x".repeat(n * 37)).getBytes()));
        java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
        for (Frame f : sent) all.write(FrameWriter.encode(f));
        byte[] bytes = all.toByteArray();
        for (int cut : new int[] {1, 2, 3, 7, 64, 1000, bytes.length}) {
            FrameReader r = new FrameReader();
            List<Frame> got = new ArrayList<>();
            for (int at = 0; at < bytes.length; at += cut) got.addAll(r.feed(bytes, at, Math.min(cut, bytes.length - at)));
            assertThat(got).as("cut every " + cut + " bytes").hasSize(50);
            for (int n = 0; n < 50; n++) {
                assertThat(got.get(n).session()).isEqualTo(n);
                assertThat(got.get(n).args().get(0).asRawValue().asByteArray()).isEqualTo(sent.get(n).args().get(0).asRawValue().asByteArray());
            }
            assertThat(r.pending()).isZero();
        }
    }

    @Test
    void halfAFrameWaitsForTheRest() throws Exception {
        byte[] bytes = FrameWriter.encode(f(3, 5, s("ping")));
        FrameReader r = new FrameReader();
        assertThat(r.feed(bytes, 0, 5)).isEmpty();
        assertThat(r.pending()).isEqualTo(5);
        assertThat(r.feed(bytes, 5, bytes.length - 5)).hasSize(1);
    }

    @Test
    void malformedFramesAreRefusedWithTheReason() {
        assertRefused("81a16101", "must be an array of 3, not a map");
        assertRefused("920101", "must be an array of 3, not of 2");
        assertRefused("94010190c0", "must be an array of 3, not of 4");
        assertRefused("93a1610190", "message id must be an integer, not string");
        assertRefused("9301a16190", "session id must be an integer, not string");
        assertRefused("930101c0", "arguments must be an array, not nil");
        assertRefused("93cf000000010000000001 90".replace(" ", ""), "does not fit 32 bits");
        assertRefused("93 04 ff 90".replace(" ", ""), "session id -1 is negative");
        assertRefused("c1", "malformed msgpack");
        assertRefused("a3616263", "not a string");
    }

    @Test
    void aFrameOverTheLimitIsRefusedBeforeItIsAllHeld() {
        FrameReader r = new FrameReader(1024);
        byte[] head = HEX.parseHex("930401" + "91" + "db" + "00100000"); // a raw32 of 1 MiB announced
        assertThatThrownBy(() -> {
            r.feed(head);
            r.feed(new byte[2048]);
        }).isInstanceOf(ProtocolException.class).hasMessageContaining("more than 1024 bytes");
    }

    static void assertRefused(String hex, String why) {
        assertThatThrownBy(() -> new FrameReader().feed(HEX.parseHex(hex))).isInstanceOf(ProtocolException.class).hasMessageContaining(why);
    }
}
