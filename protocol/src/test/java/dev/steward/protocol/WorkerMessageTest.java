package dev.steward.protocol;

import static dev.steward.protocol.FrameCodecTest.HEX;
import static dev.steward.protocol.FrameCodecTest.f;
import static dev.steward.protocol.FrameCodecTest.i;
import static dev.steward.protocol.FrameCodecTest.s;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.steward.protocol.WorkerMessage.Chunk;
import dev.steward.protocol.WorkerMessage.Choke;
import dev.steward.protocol.WorkerMessage.FromWorker;
import dev.steward.protocol.WorkerMessage.Handshake;
import dev.steward.protocol.WorkerMessage.Heartbeat;
import dev.steward.protocol.WorkerMessage.Invoke;
import dev.steward.protocol.WorkerMessage.Terminate;
import dev.steward.protocol.WorkerMessage.ToWorker;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.msgpack.value.ValueFactory;

/** Golden frames for every message of the worker protocol, read back through the frame reader, and what is refused (helpers from {@link FrameCodecTest}). */
class WorkerMessageTest {
    static String hex(String text) {
        return HEX.formatHex(text.getBytes());
    }

    /** The bytes on the wire, as one frame the reader gives back whole. */
    static Frame wire(WorkerMessage m, String hex) throws Exception {
        byte[] bytes = FrameWriter.encode(m.frame());
        assertThat(HEX.formatHex(bytes)).as(m.toString()).isEqualTo(hex.replace(" ", ""));
        List<Frame> back = new FrameReader().feed(bytes);
        assertThat(back).hasSize(1);
        return back.get(0);
    }

    static void fromWorker(FromWorker m, String hex) throws Exception {
        assertThat(FromWorker.decode(wire(m, hex))).isEqualTo(m);
    }

    static void toWorker(ToWorker m, String hex) throws Exception {
        assertThat(ToWorker.decode(wire(m, hex))).isEqualTo(m);
    }

    @Test
    void whatAWorkerSends() throws Exception {
        String uuid = "0b7d1b2e-3c4f-4a5b-8c6d-7e8f9a0b1c2d";
        fromWorker(new Handshake(uuid), "93 00 00 91 da 0024 " + hex(uuid));
        fromWorker(new Heartbeat(), "93 01 00 90");
        fromWorker(new Terminate(Messages.TERMINATE_ABNORMAL, "my database is gone"), "93 02 00 92 02 b3 " + hex("my database is gone"));
        fromWorker(new Chunk(7, new byte[] {1, 2, 3}), "93 04 07 91 a3 010203");
        fromWorker(new WorkerMessage.Error(7, Messages.INVOCATION_ERROR, "boom"), "93 05 07 92 01 a4 " + hex("boom"));
        fromWorker(new Choke(7), "93 06 07 90");
    }

    @Test
    void whatTheAgentSends() throws Exception {
        toWorker(new Invoke(5, "ping"), "93 03 05 91 a4 70696e67");
        toWorker(new Chunk(5, "data".getBytes()), "93 04 05 91 a4 " + hex("data"));
        toWorker(new Choke(5), "93 06 05 90");
        toWorker(new Heartbeat(), "93 01 00 90");
        toWorker(new Terminate(Messages.TERMINATE_NORMAL, "slave is idle"), "93 02 00 92 01 ad " + hex("slave is idle"));
        toWorker(new WorkerMessage.Error(5, Messages.TIMEOUT_ERROR, "the session timed out"), "93 05 05 92 03 b5 " + hex("the session timed out"));
        toWorker(new WorkerMessage.Error(0, Messages.INVOCATION_ERROR, "x"), "93 05 00 92 01 a1 78");
    }

    @Test
    void largeSessionsAndBinaryData() throws Exception {
        fromWorker(new Chunk(-1L, new byte[300]), "93 04 cf ffffffffffffffff 91 da 012c " + "00".repeat(300));
        toWorker(new Choke(0x1_0000_0000L), "93 06 cf 0000000100000000 90");
        Frame bin = new FrameReader().feed(HEX.parseHex("930407" + "91" + "c4" + "03" + "010203")).get(0); // bin8 from a newer peer
        assertThat(FromWorker.decode(bin)).isEqualTo(new Chunk(7, new byte[] {1, 2, 3}));
    }

    @Test
    void aFrameCutInHalfIsDecodedOnceItIsWhole() throws Exception {
        Chunk sent = new Chunk(9, "a reply in two pieces".getBytes());
        byte[] bytes = FrameWriter.encode(sent.frame());
        FrameReader r = new FrameReader();
        int half = bytes.length / 2;
        assertThat(r.feed(bytes, 0, half)).isEmpty();
        List<Frame> whole = r.feed(bytes, half, bytes.length - half);
        assertThat(whole).hasSize(1);
        assertThat(FromWorker.decode(whole.get(0))).isEqualTo(sent);
        assertThat(r.pending()).isZero();
    }

    @Test
    void wrongArgumentTypesAreNamed() {
        refusedFromWorker(f(4, 1, i(5)), "chunk: argument 0 must be binary or a string, got integer");
        refusedFromWorker(f(5, 1, s("code"), s("boom")), "error: argument 0 must be an integer, got string");
        refusedFromWorker(f(5, 1, i(1), ValueFactory.newNil()), "error: argument 1 must be a string, got nil");
        refusedFromWorker(f(5, 1, i(1L << 40), s("boom")), "error: argument 0 must fit 32 bits, got 1099511627776");
        refusedFromWorker(f(0, 0, ValueFactory.newArray(s("uuid"))), "handshake: argument 0 must be a string, got array");
        refusedFromWorker(f(0, 0, ValueFactory.newBinary(new byte[] {(byte) 0xff, (byte) 0xfe})), "handshake: argument 0 is not UTF-8");
        refusedToWorker(f(3, 1, ValueFactory.newBoolean(true)), "invoke: argument 0 must be a string, got boolean");
    }

    @Test
    void missingOrExtraArgumentsAreNamed() {
        refusedFromWorker(f(4, 1), "chunk: takes 1 argument, got 0");
        refusedFromWorker(f(4, 1, s("a"), s("b")), "chunk: takes 1 argument, got 2");
        refusedFromWorker(f(5, 1, i(1)), "error: takes 2 arguments, got 1");
        refusedFromWorker(f(0, 0), "handshake: takes 1 argument, got 0");
        refusedFromWorker(f(0, 0, s("a"), s("b")), "handshake: takes 1 argument, got 2");
        refusedFromWorker(f(0, 3, s("uuid")), "handshake: the session must be 0, got 3");
        refusedToWorker(f(3, 1), "invoke: takes 1 argument, got 0");
    }

    @Test
    void unknownMessagesAreRefusedByTheSideThatDoesNotSendThem() {
        refusedFromWorker(f(3, 1, s("ping")), "message 3 is not one a worker sends");
        refusedFromWorker(f(7, 1), "message 7 is not one a worker sends");
        refusedFromWorker(f(0xFFFF_FFFFL, 1), "message 4294967295 is not one a worker sends");
        refusedToWorker(f(0, 0, s("uuid")), "message 0 is not one the agent sends");
        refusedToWorker(f(0x8000_0004L, 1, s("x")), "message 2147483652 is not one the agent sends");
    }

    @Test
    void argumentsAMessageDoesNotReadAreIgnored() throws Exception {
        assertThat(FromWorker.decode(f(1, 4, s("extra")))).isEqualTo(new Heartbeat());
        assertThat(FromWorker.decode(f(6, 4, s("extra")))).isEqualTo(new Choke(4));
        assertThat(FromWorker.decode(f(5, 4, i(2), s("full"), s("extra")))).isEqualTo(new WorkerMessage.Error(4, 2, "full"));
    }

    @Test
    void aTerminateIsNeverRefused() throws Exception {
        assertThat(FromWorker.decode(f(2, 0))).isEqualTo(new Terminate(Messages.TERMINATE_NORMAL, ""));
        assertThat(FromWorker.decode(f(2, 0, i(2)))).isEqualTo(new Terminate(Messages.TERMINATE_ABNORMAL, ""));
        assertThat(FromWorker.decode(f(2, 0, s("abnormal"), i(5)))).isEqualTo(new Terminate(Messages.TERMINATE_NORMAL, ""));
        assertThat(FromWorker.decode(f(2, 0, i(1L << 40), s("why")))).isEqualTo(new Terminate(Messages.TERMINATE_NORMAL, "why"));
        assertThat(ToWorker.decode(f(2, 9, i(1), ValueFactory.newBinary(new byte[] {'o', (byte) 0xff})))).isEqualTo(new Terminate(1, "o\uFFFD"));
    }

    @Test
    void chunksCompareByTheirBytes() {
        assertThat(new Chunk(1, new byte[] {1})).isEqualTo(new Chunk(1, new byte[] {1})).hasSameHashCodeAs(new Chunk(1, new byte[] {1}))
                .isNotEqualTo(new Chunk(1, new byte[] {2})).isNotEqualTo(new Chunk(2, new byte[] {1}));
        assertThat(new Chunk(-1L, new byte[3])).hasToString("Chunk[session=18446744073709551615, 3 bytes]");
        assertThatThrownBy(() -> new Chunk(1, null)).isInstanceOf(IllegalArgumentException.class).hasMessage("data: null");
    }

    static void refusedFromWorker(Frame f, String why) {
        assertThatThrownBy(() -> FromWorker.decode(f)).as(f.toString()).isInstanceOf(ProtocolException.class).hasMessage(why);
    }

    static void refusedToWorker(Frame f, String why) {
        assertThatThrownBy(() -> ToWorker.decode(f)).as(f.toString()).isInstanceOf(ProtocolException.class).hasMessage(why);
    }
}
