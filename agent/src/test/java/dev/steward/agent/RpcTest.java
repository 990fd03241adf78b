package dev.steward.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.steward.protocol.FrameWriter;
import dev.steward.protocol.Messages;
import dev.steward.protocol.Reply;
import dev.steward.protocol.RpcConnection;
import dev.steward.protocol.RpcException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.msgpack.value.Value;
import org.msgpack.value.ValueFactory;

/** The locator and the logging service over TCP, with good calls and broken frames. */
class RpcTest extends AgentTestBase {
    static final Duration WAIT = Duration.ofSeconds(5);

    RpcConnection locator() throws Exception {
        return new RpcConnection("127.0.0.1", agent.agent().rpcPort());
    }

    @Test
    void theLocatorResolvesItselfAndTheLoggingService() throws Exception {
        try (RpcConnection c = locator()) {
            RpcConnection.Resolved self = c.resolve("locator", WAIT);
            assertThat(self.port()).isEqualTo(agent.agent().rpcPort());
            assertThat(self.host()).isEqualTo("127.0.0.1");
            assertThat(self.methods()).containsEntry(0, "resolve").containsEntry(1, "synchronize");
            RpcConnection.Resolved logging = c.resolve("logging", WAIT);
            assertThat(logging.port()).isNotEqualTo(self.port());
            assertThat(logging.methods()).containsEntry(0, "emit").containsEntry(1, "verbosity");
            try (RpcConnection l = new RpcConnection(logging.host(), logging.port())) {
                assertThat(l.call(Messages.VERBOSITY).value(WAIT).asIntegerValue().toInt()).isZero();
                assertThat(l.call(Messages.EMIT, ValueFactory.newInteger(1), FrameWriter.text("app/echo"), FrameWriter.text("hello there"))
                        .next(WAIT)).isInstanceOf(Reply.Choke.class);
            }
            assertThat(Files.readString(tmp.resolve("data/logs/apps.log"))).contains("info app/echo: hello there");
        }
    }

    @Test
    void anUnknownNameOrMethodGetsAnErrorThenChoke() throws Exception {
        try (RpcConnection c = locator()) {
            assertThatThrownBy(() -> c.resolve("nope", WAIT)).isInstanceOf(RpcException.class)
                    .hasMessage("service nope is not available").extracting(e -> ((RpcException) e).code()).isEqualTo(1);
            RpcConnection.Call bad = c.call(7);
            assertThat(bad.next(WAIT)).isEqualTo(new Reply.Error(1, "unknown message type"));
            assertThat(bad.next(WAIT)).isInstanceOf(Reply.Choke.class);
            RpcConnection.Call wrongArgs = c.call(Messages.RESOLVE, ValueFactory.newInteger(3));
            assertThat(wrongArgs.next(WAIT)).isEqualTo(new Reply.Error(1, "the service name must be a string, not integer"));
            // the connection is still good
            assertThat(c.resolve("logging", WAIT).port()).isPositive();
        }
    }

    @Test
    void manySessionsShareOneConnection() throws Exception {
        try (RpcConnection c = locator()) {
            List<RpcConnection.Call> calls = new ArrayList<>();
            for (int i = 0; i < 200; i++) calls.add(c.call(Messages.RESOLVE, FrameWriter.text(i % 2 == 0 ? "logging" : "locator")));
            for (int i = 0; i < 200; i++) {
                Value v = calls.get(i).value(WAIT);
                int port = v.asArrayValue().get(0).asArrayValue().get(1).asIntegerValue().toInt();
                assertThat(port == agent.agent().rpcPort()).isEqualTo(i % 2 == 1);
            }
        }
    }

    @Test
    void theLocatorAnswersReportsAndRefreshAsCocaine011s() throws Exception {
        try (RpcConnection c = locator()) {
            Value reports = c.call(Messages.REPORTS).value(WAIT);
            var logging = reports.asMapValue().map().get(FrameWriter.text("logging")).asMapValue().map();
            int port = c.resolve("logging", WAIT).port();
            assertThat(logging.get(FrameWriter.text("endpoint")).asRawValue().asString()).isEqualTo("127.0.0.1:" + port);
            assertThat(logging.get(FrameWriter.text("version")).asIntegerValue().toInt()).isEqualTo(1);
            // a refresh sends the table again to those who synchronize, and answers nil
            RpcConnection.Call sync = c.call(Messages.SYNCHRONIZE);
            assertThat(sync.next(WAIT)).isInstanceOf(Reply.Chunk.class);
            assertThat(c.call(Messages.REFRESH, FrameWriter.text("logging")).value(WAIT).isNilValue()).isTrue();
            assertThat(sync.next(WAIT)).isInstanceOf(Reply.Chunk.class);
            RpcConnection.Call noName = c.call(Messages.REFRESH);
            assertThat(noName.next(WAIT)).isInstanceOf(Reply.Error.class);
            RpcConnection.Call extra = c.call(Messages.REPORTS, FrameWriter.text("x"));
            assertThat(extra.next(WAIT)).isInstanceOf(Reply.Error.class);
            assertThat(c.resolve("logging", WAIT).port()).isEqualTo(port); // the connection is still good
        }
    }

    @Test
    void synchronizeStreamsTheTable() throws Exception {
        try (RpcConnection c = locator()) {
            RpcConnection.Call sync = c.call(Messages.SYNCHRONIZE);
            Reply first = sync.next(WAIT);
            assertThat(first).isInstanceOf(Reply.Chunk.class);
            Value table = org.msgpack.core.MessagePack.newDefaultUnpacker(((Reply.Chunk) first).data()).unpackValue();
            List<String> names = table.asMapValue().keySet().stream().map(k -> k.asRawValue().asString()).toList();
            assertThat(names).contains("locator", "logging");
        }
    }

    @Test
    void aFrameCutInHalfIsReadWholeAndABrokenOneClosesOnlyItsConnection() throws Exception {
        try (RpcConnection good = locator(); RpcConnection bad = locator()) {
            byte[] frame = FrameWriter.encode(new dev.steward.protocol.Frame(Messages.RESOLVE, 1000, List.of(FrameWriter.text("logging"))));
            RpcConnection.Call split = good.listen(1000);
            bad.write(HexFormat.of().parseHex("81a16101")); // a map, not a frame
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (!bad.closed() && System.nanoTime() < deadline) TestAgent.sleep(10);
            assertThat(bad.closed()).as("the broken connection is closed").isTrue();
            good.write(java.util.Arrays.copyOfRange(frame, 0, 4));
            TestAgent.sleep(100);
            good.write(java.util.Arrays.copyOfRange(frame, 4, frame.length));
            Value v = split.value(WAIT);
            assertThat(v.asArrayValue().get(0).asArrayValue().get(1).asIntegerValue().toInt()).isEqualTo(good.resolve("logging", WAIT).port());
            assertThat(good.closed()).isFalse();
        }
    }

    /**
     * A 63 MB frame whose size no header declares (65,535 pieces of binary in one array), fed in 64 KiB
     * pieces: the scan resumes where it stopped, so the frame is refused once it passes the agent's limit (16 MiB and 64 KiB),
     * with the reason, and only its connection closes; another client's calls answer all along.
     */
    @Test
    void aHugeFrameFedSlowlyIsRefusedAtTheLimitWhileAnotherClientIsAnswered() throws Exception {
        java.io.ByteArrayOutputStream frame = new java.io.ByteArrayOutputStream();
        frame.write(HexFormat.of().parseHex("930401" + "91" + "dcffff")); // [4, 1, [[65535 elements ...
        byte[] piece = new byte[3 + 960];
        piece[0] = (byte) 0xc5;
        piece[1] = (byte) (960 >> 8);
        piece[2] = (byte) 960;
        for (int n = 0; n < 65_535; n++) frame.write(piece);
        byte[] bytes = frame.toByteArray();
        assertThat(bytes.length).isGreaterThan(63_000_000);
        List<Long> latencies = java.util.Collections.synchronizedList(new ArrayList<>());
        java.util.concurrent.atomic.AtomicBoolean feeding = new java.util.concurrent.atomic.AtomicBoolean(true);
        try (RpcConnection other = locator(); java.net.Socket feeder = new java.net.Socket("127.0.0.1", agent.agent().rpcPort())) {
            Thread asker = Thread.ofVirtual().start(() -> {
                while (feeding.get()) {
                    long t0 = System.nanoTime();
                    try {
                        other.resolve("logging", WAIT);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                    latencies.add((System.nanoTime() - t0) / 1_000_000);
                }
            });
            long t0 = System.nanoTime();
            long sent = 0;
            try {
                for (int at = 0; at < bytes.length; at += 64 << 10) {
                    int n = Math.min(64 << 10, bytes.length - at);
                    feeder.getOutputStream().write(bytes, at, n);
                    sent += n;
                }
            } catch (java.io.IOException closed) {
                // the agent closed the connection: what this test expects
            }
            long ms = (System.nanoTime() - t0) / 1_000_000;
            feeder.setSoTimeout(10_000);
            List<dev.steward.protocol.Frame> answer = new dev.steward.protocol.FrameReader().feed(feeder.getInputStream().readAllBytes());
            feeding.set(false);
            asker.join();
            assertThat(answer).hasSize(1);
            assertThat(answer.get(0).args().get(1).asRawValue().asString()).startsWith("protocol error: a frame of more than " + dev.steward.protocol.FrameLimits.AGENT.maxFrameBytes() + " bytes");
            assertThat(sent).as("bytes the agent took before it refused").isLessThan(bytes.length);
            assertThat(ms).as("ms until the frame was refused").isLessThan(10_000);
            assertThat(latencies).as("the other client was answered meanwhile").isNotEmpty();
            assertThat(other.resolve("logging", WAIT).port()).isPositive();
            System.out.printf("huge frame: refused after %d of %d bytes in %d ms; other client's %d calls, slowest %d ms%n",
                    sent, bytes.length, ms, latencies.size(), java.util.Collections.max(latencies));
        }
    }
}
