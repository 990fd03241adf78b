package dev.steward.worker.fn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.steward.protocol.Frame;
import dev.steward.protocol.FrameReader;
import dev.steward.protocol.FrameWriter;
import dev.steward.protocol.Messages;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.Pipe;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.msgpack.value.ValueFactory;

/** The JVM beside a python or node worker: calls in on a pipe, replies out on another, calls side by side, the end with its input. */
class SideServerTest {
    @TempDir Path tmp;

    /** "wait": returns once a later call opened the gate (or says it never was); anything else opens it. */
    public static final class Gate implements Function {
        static final CountDownLatch OPEN = new CountDownLatch(1);

        @Override
        public byte[] handle(byte[] data, Steward steward) throws Exception {
            String s = new String(data, StandardCharsets.UTF_8);
            if (!s.equals("wait")) {
                OPEN.countDown();
                return ("opened by " + s).getBytes(StandardCharsets.UTF_8);
            }
            return (OPEN.await(30, TimeUnit.SECONDS) ? "waited" : "never opened").getBytes(StandardCharsets.UTF_8);
        }
    }

    static byte[] call(long channel, String name, String data) {
        return FrameWriter.encode(new Frame(0, channel, List.of(FrameWriter.text(name), FrameWriter.text(""), FrameWriter.text(""),
                ValueFactory.newInteger(0), FrameWriter.text(""), FrameWriter.bytes(data.getBytes(StandardCharsets.UTF_8)))));
    }

    @Test
    void callsRunSideBySideEachReplyOnItsChannelAndTheServerEndsWithItsInput() throws Exception {
        FunctionRunner runner = new FunctionRunner(FunctionTable.parse("gate\t" + Gate.class.getName() + "\t\t\t" + tmp + "\n"), new Calls(""), Map.of());
        Pipe calls = Pipe.open();
        Pipe replies = Pipe.open();
        OutputStream toServer = Channels.newOutputStream(calls.sink());
        InputStream fromServer = Channels.newInputStream(replies.source());
        SideServer server = new SideServer(runner, Channels.newOutputStream(replies.sink()));
        CompletableFuture<Void> served = new CompletableFuture<>();
        Thread serving = Thread.ofPlatform().daemon().name("side-server").start(() -> { // not the common pool, which the other tests need
            try {
                server.serve(Channels.newInputStream(calls.source()));
                served.complete(null);
            } catch (Exception e) {
                served.completeExceptionally(e);
            }
        });
        try {
            exchange(toServer, fromServer);
        } finally {
            toServer.close(); // the worker beside is gone
        }
        served.get(30, TimeUnit.SECONDS);
        serving.join(10_000);
    }

    void exchange(OutputStream toServer, InputStream fromServer) throws Exception {
        toServer.write(call(1, "gate", "wait")); // holds its thread until call 2 opens the gate
        toServer.write(call(2, "gate", "two"));
        toServer.write(call(3, "nosuch", "x"));
        toServer.flush();

        FrameReader reader = new FrameReader();
        List<Frame> got = new ArrayList<>();
        byte[] buf = new byte[4096];
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (got.stream().filter(f -> f.message() == Messages.CHOKE).count() < 3) {
            assertThat(System.nanoTime()).as("three replies: " + got).isLessThan(deadline);
            int n = fromServer.read(buf);
            assertThat(n).as("the server's output ended early: " + got).isPositive();
            got.addAll(reader.feed(buf, 0, n));
        }
        assertThat(text(got, 1, Messages.CHUNK)).as("the first call waited for the second, which ran meanwhile").isEqualTo("waited");
        assertThat(text(got, 2, Messages.CHUNK)).isEqualTo("opened by two");
        assertThat(got.stream().filter(f -> f.session() == 2).map(Frame::message).toList()).containsExactly((long) Messages.CHUNK, (long) Messages.CHOKE);
        Frame error = got.stream().filter(f -> f.session() == 3 && f.message() == Messages.ERROR).findFirst().orElseThrow();
        assertThat(error.args().get(1).asStringValue().asString()).contains("nosuch");
    }

    static String text(List<Frame> frames, long channel, long message) {
        return frames.stream().filter(f -> f.session() == channel && f.message() == message).findFirst()
                .map(f -> new String(f.args().get(0).asRawValue().asByteArray(), StandardCharsets.UTF_8)).orElse("(none in " + frames + ")");
    }
}
