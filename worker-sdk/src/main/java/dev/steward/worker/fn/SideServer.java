package dev.steward.worker.fn;

import dev.steward.protocol.Frame;
import dev.steward.protocol.FrameInput;
import dev.steward.protocol.FrameWriter;
import dev.steward.protocol.Messages;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.msgpack.value.Value;

/**
 * Beside a worker of another runtime (python or node), started by it as its child with
 * {@code STEWARD_SIDE_STDIO}: answers the same-worker calls of java callees it sends. A call comes on stdin,
 * {@code [0, CHANNEL, [NAME, WORKFLOW-DIR, SCRATCH-DIR, DEPTH, TOKEN, DATA]]}; its reply goes to stdout on its
 * channel (CHUNK, ERROR, CHOKE), in one write. When stdin ends (the worker beside which it ran is gone), this
 * process ends.
 *
 * <p>Leader and followers: the thread that reads a call runs it itself, having first handed the reading to another
 * thread of its pool, so that a call never waits for another thread to be scheduled (on a busy machine the
 * hand-off to a thread that runs the call cost more than the call), and calls still run side by side.
 */
final class SideServer {
    private final FunctionRunner runner;
    private final OutputStream out;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> Thread.ofPlatform().daemon().name("steward-side-call").unstarted(r));
    private final CountDownLatch ended = new CountDownLatch(1);
    // the reading state: touched only by the one thread that leads, handed from one leader to the next through the pool
    private FrameInput in;
    private IOException broken;

    SideServer(FunctionRunner runner, OutputStream out) {
        this.runner = runner;
        this.out = out;
    }

    /** Serves until {@code in} ends; a broken frame ends it with an {@link IOException} saying so. */
    void serve(InputStream in) throws IOException {
        this.in = new FrameInput(in, "the worker beside");
        threads.execute(this::lead);
        try {
            ended.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            threads.shutdown();
        }
        if (broken != null) throw broken;
    }

    /** Reads the next call, hands the reading on, and runs the call; or, when stdin has ended, says so. */
    private void lead() {
        Frame f;
        try {
            f = in.next();
        } catch (IOException e) {
            broken = e;
            f = null;
        }
        if (f == null) {
            ended.countDown();
            return;
        }
        threads.execute(this::lead);
        call(f);
    }

    private void call(Frame f) {
        long channel = f.session();
        ByteArrayOutputStream reply = new ByteArrayOutputStream();
        try {
            List<Value> a = f.args();
            if (a.size() != 6) throw new IllegalArgumentException("a call is NAME, WORKFLOW-DIR, SCRATCH-DIR, DEPTH, TOKEN and DATA, not " + a);
            Invocation inv = new Invocation(a.get(0).asStringValue().asString(), a.get(3).asIntegerValue().asInt(), a.get(1).asStringValue().asString(),
                    a.get(2).asStringValue().asString(), a.get(4).asStringValue().asString());
            byte[] data = runner.invoke(inv, a.get(5).asRawValue().asByteArray());
            if (data.length > 0) reply.writeBytes(FrameWriter.encode(FrameWriter.chunk(channel, data)));
        } catch (CallException e) {
            reply.writeBytes(FrameWriter.encode(FrameWriter.error(channel, Messages.INVOCATION_ERROR, e.getMessage()))); // its own callee's failure, named already
        } catch (Exception | Error e) {
            reply.writeBytes(FrameWriter.encode(FrameWriter.error(channel, Messages.INVOCATION_ERROR,
                    e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()))));
        }
        reply.writeBytes(FrameWriter.encode(FrameWriter.choke(channel)));
        synchronized (out) {
            try {
                reply.writeTo(out);
                out.flush();
            } catch (IOException e) {
                // the worker beside is gone: this process ends when its stdin does
            }
        }
    }
}
