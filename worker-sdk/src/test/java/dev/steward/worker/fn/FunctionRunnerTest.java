package dev.steward.worker.fn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.steward.protocol.Frame;
import dev.steward.protocol.FrameReader;
import dev.steward.protocol.FrameWriter;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The java runtime's runner in this JVM: events, same-worker calls, the depth limit, other-worker calls against a stand-in agent. */
class FunctionRunnerTest {
    @TempDir Path tmp;

    /** Handlers of the test, found by the runner's class loaders through the test's class path. */
    public static final class Pong implements Function {
        @Override
        public byte[] handle(byte[] data, Steward steward) throws Exception {
            Files.writeString(steward.scratch().resolve("seen"), new String(data, StandardCharsets.UTF_8));
            return ("pong:" + new String(data, StandardCharsets.UTF_8) + ":" + steward.scratch().getFileName()).getBytes(StandardCharsets.UTF_8);
        }
    }

    public static final class Ping implements Function {
        @Override
        public byte[] handle(byte[] data, Steward steward) throws Exception {
            return steward.invoke(new String(data, StandardCharsets.UTF_8), data);
        }
    }

    FunctionRunner runner(String socket) {
        String dir = tmp.toString();
        String table = "ping\t" + Ping.class.getName() + "\tpong\tfar\t" + dir + "\npong\t" + Pong.class.getName() + "\t\t\t" + dir + "\n";
        return new FunctionRunner(FunctionTable.parse(table), new Calls(socket), Map.of("GREETING", "hi"));
    }

    @Test
    void anEventNamesTheFunctionAndItsPlaceInItsWorkflow() {
        Invocation i = Invocation.of("ping\t/w/1\t/w/1/ping.1\t3\ttok", "ping");
        assertThat(i).isEqualTo(new Invocation("ping", 3, "/w/1", "/w/1/ping.1", "tok"));
        assertThatThrownBy(() -> Invocation.of("pong\t/w\t/s\t0\t", "ping")).hasMessage("this worker serves function ping, not the event 'pong\t/w\t/s\t0\t'");
        assertThatThrownBy(() -> Invocation.of("ping", "ping")).hasMessageContaining("not the event 'ping'");
    }

    @Test
    void aSameWorkerCalleeRunsHereWithAScratchDirectoryOfItsOwnInTheWorkflow() throws Exception {
        Path wf = tmp.resolve("wf");
        byte[] out = runner("").invoke(new Invocation("ping", 0, wf.toString(), wf.resolve("ping.1").toString(), ""), "pong".getBytes());
        String reply = new String(out, StandardCharsets.UTF_8);
        assertThat(reply).startsWith("pong:pong:pong.");
        String scratch = reply.substring("pong:pong:".length());
        assertThat(wf.resolve(scratch).resolve("seen")).hasContent("pong");
    }

    @Test
    void anUndeclaredCallAndOneTooDeepAreRefusedNamingTheFunctions() {
        FunctionRunner r = runner("");
        assertThatThrownBy(() -> r.invoke(new Invocation("ping", 0, "", "", ""), "ping".getBytes()))
                .isInstanceOf(CallException.class).hasMessage("function ping does not declare ping in calls:");
        assertThatThrownBy(() -> r.invoke(new Invocation("ping", FunctionRunner.MAX_DEPTH - 1, "", "", ""), "pong".getBytes()))
                .hasMessage("function pong: calls nest deeper than 32");
    }

    @Test
    void anOtherWorkerCallGoesToTheAgentWithItsTokenAndItsReplyOrErrorComesBackNamingTheCallee() throws Exception {
        Path sock = tmp.resolve("calls.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(sock));
            CompletableFuture<List<Frame>> asked = CompletableFuture.supplyAsync(() -> {
                try (SocketChannel c = server.accept()) {
                    FrameReader reader = new FrameReader();
                    ByteBuffer buf = ByteBuffer.allocate(4096);
                    List<Frame> got = new java.util.ArrayList<>();
                    for (int call = 0; call < 2; ) {
                        int n = c.read(buf.clear());
                        for (Frame f : reader.feed(buf.array(), 0, n)) {
                            got.add(f);
                            List<Frame> reply = call++ == 0 ? List.of(FrameWriter.chunk(1, "a".getBytes()), FrameWriter.chunk(1, "b".getBytes()), FrameWriter.choke(1))
                                    : List.of(FrameWriter.error(1, 3, "the session timed out after 1s"), FrameWriter.choke(1));
                            for (Frame r : reply) c.write(ByteBuffer.wrap(FrameWriter.encode(r)));
                        }
                    }
                    return got;
                } catch (Exception e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            });
            FunctionRunner r = runner(sock.toString());
            Invocation ping = new Invocation("ping", 2, "", "", "tok");
            assertThat(r.invoke(ping, "far".getBytes())).isEqualTo("ab".getBytes());
            assertThatThrownBy(() -> r.invoke(ping, "far".getBytes())).isInstanceOf(CallException.class)
                    .hasMessage("function far failed: the session timed out after 1s");
            List<Frame> frames = asked.get(10, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(frames).hasSize(2); // one connection, kept for the second call
            assertThat(frames.get(0).args().get(0).asRawValue().asString()).isEqualTo("tok");
            assertThat(frames.get(0).args().get(1).asRawValue().asString()).isEqualTo("ping");
            assertThat(frames.get(0).args().get(2).asRawValue().asString()).isEqualTo("far");
            assertThat(frames.get(0).args().get(3).asIntegerValue().asInt()).isEqualTo(2);
        }
    }

    @Test
    void aWorkerStartedColdWarmsUpAfterItsFirstCallAsManyCallsAsItIsTold() {
        assertThat(FunctionRunner.AfterFirstCall.calls(null)).isEqualTo(FunctionRunner.AFTER_FIRST_CALL_WARMUP);
        assertThat(FunctionRunner.AfterFirstCall.calls(" 0 ")).as("none").isZero();
        assertThat(FunctionRunner.AfterFirstCall.calls("50")).isEqualTo(50);
        for (String bad : new String[] {"-1", "many", "1.5"}) {
            assertThatThrownBy(() -> FunctionRunner.AfterFirstCall.calls(bad))
                    .hasMessage("STEWARD_JAVA_WARMUP must be a count of calls (0 or more), not '" + bad + "'");
        }
    }

    @Test
    void theWarmUpAfterTheFirstCallStopsWithTheWorker() throws Exception {
        FunctionRunner.AfterFirstCall warmUp = new FunctionRunner.AfterFirstCall(10_000_000); // far more than it could make in the test's time
        warmUp.answered();
        warmUp.answered(); // once only
        long t0 = System.nanoTime();
        warmUp.stop();
        assertThat(java.time.Duration.ofNanos(System.nanoTime() - t0)).as("it ended after the call under way").isLessThan(java.time.Duration.ofSeconds(5));
        assertThat(warmUp.running()).isFalse();
    }
}
