package dev.steward.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.steward.protocol.Frame;
import dev.steward.protocol.FrameWriter;
import dev.steward.protocol.Messages;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Every test of {@link WorkerTest} again, with each call run on the thread that read it ({@link Worker#callsOnReader()}),
 * and what that mode adds: calls still run side by side, a request's chunks that come after the call began still reach it.
 */
class WorkerCallsOnReaderTest extends WorkerTest {
    final CountDownLatch released = new CountDownLatch(1);
    volatile Boolean ranOnVirtual;

    @Override
    Worker worker() {
        return super.worker().callsOnReader()
                .on("wait", (req, res) -> {
                    ranOnVirtual = Thread.currentThread().isVirtual();
                    if (!released.await(20, TimeUnit.SECONDS)) throw new IllegalStateException("never released");
                    res.end(req.readAll());
                })
                .on("release", (req, res) -> {
                    released.countDown();
                    res.end("released".getBytes());
                });
    }

    @Test
    void aCallThatWaitsDoesNotStopTheNextOneFromBeingReadAndRun() throws Exception {
        start(worker());
        invoke(1, "wait", "w");
        invoke(2, "release");
        List<String> replies = new ArrayList<>();
        while (replies.size() < 2) {
            Frame f = nextReal();
            if (f.message() == Messages.CHUNK) replies.add(f.session() + ":" + new String(f.args().get(0).asRawValue().asByteArray()));
        }
        // the first answers only once the second has run (else, after 20 s, with an error): both replies, in either order,
        // as the released call may write its reply before the releasing one writes its own
        assertThat(replies).as("the second call released the first, which then answered").containsExactlyInAnyOrder("2:released", "1:w");
        assertThat(ranOnVirtual).as("the call ran on the platform thread that read it").isFalse();
    }

    @Test
    void chunksThatComeAfterTheCallBeganReachIt() throws Exception {
        start(worker());
        send(new Frame(Messages.INVOKE, 5, List.of(FrameWriter.text("wait"))));
        send(FrameWriter.chunk(5, "late".getBytes()));
        invoke(6, "release");
        send(FrameWriter.chunk(5, "r".getBytes()));
        send(FrameWriter.choke(5));
        Frame f;
        do f = nextReal(); while (f.session() != 5);
        assertThat(new String(f.args().get(0).asRawValue().asByteArray())).isEqualTo("later");
    }

    @Test
    void aReplyEndedWithItsLastChunkComesInOneWrite() throws Exception {
        start(worker());
        invoke(1, "release");
        ByteBuffer buf = ByteBuffer.allocate(8192);
        List<Frame> frames = new ArrayList<>();
        while (frames.stream().noneMatch(f -> f.session() == 1)) { // one read, past the handshake and heartbeats, brings the reply
            frames.clear();
            int n = agent.read(buf.clear());
            frames.addAll(reader.feed(buf.array(), 0, n));
            frames.removeIf(f -> f.session() == 0);
        }
        assertThat(frames).extracting(Frame::message).as("its chunk and its end in the one read").containsExactly((long) Messages.CHUNK, (long) Messages.CHOKE);
    }
}
