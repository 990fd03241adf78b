package dev.steward.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.steward.protocol.Frame;
import dev.steward.protocol.FrameReader;
import dev.steward.protocol.FrameWriter;
import dev.steward.protocol.Messages;
import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.msgpack.value.ValueFactory;

/** The SDK against a stand-in for the agent's side of the unix socket, frame by frame. */
class WorkerTest {
    @TempDir Path tmp;
    ServerSocketChannel server;
    SocketChannel agent;
    final FrameReader reader = new FrameReader();
    final ArrayDeque<Frame> got = new ArrayDeque<>();
    CompletableFuture<Object> ran;

    @BeforeEach
    void listen() throws IOException {
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(tmp.resolve("app.sock")));
    }

    @AfterEach
    void close() throws IOException {
        if (agent != null) agent.close();
        server.close();
    }

    Worker worker() {
        return Worker.fromArgs(new String[] {"--app", "echo", "--endpoint", tmp.resolve("app.sock").toString(), "--uuid", "w-1"})
                .heartbeat(Duration.ofMillis(100))
                .on("echo", (req, res) -> res.write(req.readAll()))
                .on("count", (req, res) -> {
                    int n = Integer.parseInt(new String(req.readAll()));
                    for (int i = 0; i < n; i++) res.write("c" + i);
                })
                .on("boom", (req, res) -> {
                    throw new IllegalStateException("no luck");
                });
    }

    void start(Worker w) throws IOException {
        ran = CompletableFuture.supplyAsync(() -> {
            try {
                return w.run();
            } catch (IOException e) {
                return e;
            }
        }, r -> Thread.ofVirtual().start(r));
        agent = server.accept();
    }

    Frame next() throws Exception {
        InputStream in = Channels.newInputStream(agent);
        byte[] buf = new byte[8192];
        while (got.isEmpty()) {
            int n = in.read(buf);
            if (n < 0) throw new IOException("closed");
            got.addAll(reader.feed(buf, 0, n));
        }
        return got.poll();
    }

    /** The next frame that is not the handshake or a heartbeat. */
    Frame nextReal() throws Exception {
        Frame f;
        do f = next(); while (f.session() == 0 && (f.message() == Messages.HEARTBEAT || f.message() == Messages.HANDSHAKE));
        return f;
    }

    void send(Frame f) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(FrameWriter.encode(f));
        while (b.hasRemaining()) agent.write(b);
    }

    void invoke(long session, String event, String... chunks) throws IOException {
        send(new Frame(Messages.INVOKE, session, List.of(FrameWriter.text(event))));
        for (String c : chunks) send(FrameWriter.chunk(session, c.getBytes()));
        send(FrameWriter.choke(session));
    }

    @Test
    void handshakeThenHeartbeatsThenAnEcho() throws Exception {
        start(worker());
        Frame hello = next();
        assertThat(hello.message()).isEqualTo(Messages.HANDSHAKE);
        assertThat(hello.args().get(0).asRawValue().asString()).isEqualTo("w-1");
        assertThat(next().message()).isEqualTo(Messages.HEARTBEAT);
        assertThat(next().message()).as("another within the interval").isEqualTo(Messages.HEARTBEAT);
        invoke(1, "echo", "hel", "lo");
        Frame chunk = nextReal();
        assertThat(chunk.message()).isEqualTo(Messages.CHUNK);
        assertThat(chunk.session()).isEqualTo(1);
        assertThat(new String(chunk.args().get(0).asRawValue().asByteArray())).isEqualTo("hello");
        assertThat(nextReal().message()).isEqualTo(Messages.CHOKE);
    }

    @Test
    void sessionsInterleaveAndStreamManyChunks() throws Exception {
        start(worker());
        invoke(7, "count", "1000");
        invoke(8, "echo", "x");
        Map<Long, Integer> chunks = new HashMap<>();
        int chokes = 0;
        while (chokes < 2) {
            Frame f = nextReal();
            if (f.message() == Messages.CHUNK) chunks.merge(f.session(), 1, Integer::sum);
            if (f.message() == Messages.CHOKE) chokes++;
        }
        assertThat(chunks).containsEntry(7L, 1000).containsEntry(8L, 1);
    }

    @Test
    void anUnknownEventOrAFailingHandlerIsAnErrorThenChoke() throws Exception {
        start(worker());
        invoke(3, "nope");
        Frame e = nextReal();
        assertThat(e.message()).isEqualTo(Messages.ERROR);
        assertThat(e.args().get(1).asRawValue().asString()).contains("no handler for event 'nope'");
        assertThat(nextReal().message()).isEqualTo(Messages.CHOKE);
        invoke(4, "boom");
        Frame e2 = nextReal();
        assertThat(e2.args().get(0).asIntegerValue().toInt()).isEqualTo(Messages.INVOCATION_ERROR);
        assertThat(e2.args().get(1).asRawValue().asString()).isEqualTo("IllegalStateException: no luck");
        assertThat(nextReal().message()).isEqualTo(Messages.CHOKE);
    }

    @Test
    void terminateIsAnsweredAndEndsTheRun() throws Exception {
        start(worker());
        send(new Frame(Messages.TERMINATE, 0, List.of(ValueFactory.newInteger(1), FrameWriter.text("slave is idle"))));
        Frame t = nextReal();
        assertThat(t.message()).isEqualTo(Messages.TERMINATE);
        assertThat(t.args().get(0).asIntegerValue().toInt()).isEqualTo(Messages.TERMINATE_NORMAL);
        assertThat(ran.get(5, TimeUnit.SECONDS)).isEqualTo("slave is idle");
    }

    @Test
    void aBrokenFrameOrAClosedSocketEndsTheRunWithTheReason() throws Exception {
        start(worker());
        agent.write(ByteBuffer.wrap(new byte[] {(byte) 0x81, (byte) 0xa1, 0x61, 0x01}));
        assertThat(ran.get(5, TimeUnit.SECONDS)).isInstanceOf(IOException.class).asString().contains("broken frame");
        agent.close();
        agent = null;
        start(worker());
        agent.close();
        agent = null;
        assertThat(ran.get(5, TimeUnit.SECONDS)).isInstanceOf(IOException.class);
    }

    @Test
    void missingArgumentsAreNamed() {
        assertThatThrownBy(() -> Worker.fromArgs(new String[] {"--app", "x"})).hasMessageContaining("--endpoint (or STEWARD_ENDPOINT) is required");
    }
}
