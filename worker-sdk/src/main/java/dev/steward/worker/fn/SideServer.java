package dev.steward.worker.fn;

import dev.steward.protocol.Frame;
import dev.steward.protocol.FrameReader;
import dev.steward.protocol.FrameWriter;
import dev.steward.protocol.Messages;
import dev.steward.protocol.ProtocolException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import org.msgpack.value.Value;

/**
 * Beside a worker of another runtime (python or node), started by it as its child with
 * {@code STEWARD_SIDE_STDIO}: answers the same-worker calls of java callees it sends. A call comes on stdin,
 * {@code [0, CHANNEL, [NAME, WORKFLOW-DIR, SCRATCH-DIR, DEPTH, TOKEN, DATA]]}; its reply goes to stdout on its
 * channel (CHUNK, ERROR, CHOKE), each call on a virtual thread of its own. When stdin ends (the worker beside
 * which it ran is gone), this process ends.
 */
final class SideServer {
    private final FunctionRunner runner;
    private final OutputStream out;

    SideServer(FunctionRunner runner, OutputStream out) {
        this.runner = runner;
        this.out = out;
    }

    /** Serves until {@code in} ends. */
    void serve(InputStream in) throws IOException {
        FrameReader reader = new FrameReader();
        byte[] buf = new byte[64 * 1024];
        for (int n; (n = in.read(buf)) > 0; ) {
            List<Frame> frames;
            try {
                frames = reader.feed(buf, 0, n);
            } catch (ProtocolException e) {
                throw new IOException("the worker beside sent a broken frame: " + e.getMessage(), e);
            }
            for (Frame f : frames) Thread.ofVirtual().name("steward-side-call").start(() -> call(f));
        }
    }

    private void call(Frame f) {
        long channel = f.session();
        try {
            List<Value> a = f.args();
            if (a.size() != 6) throw new IllegalArgumentException("a call is NAME, WORKFLOW-DIR, SCRATCH-DIR, DEPTH, TOKEN and DATA, not " + a);
            Invocation inv = new Invocation(a.get(0).asStringValue().asString(), a.get(3).asIntegerValue().asInt(), a.get(1).asStringValue().asString(),
                    a.get(2).asStringValue().asString(), a.get(4).asStringValue().asString());
            byte[] reply = runner.invoke(inv, a.get(5).asRawValue().asByteArray());
            if (reply.length > 0) send(FrameWriter.chunk(channel, reply));
        } catch (CallException e) {
            send(FrameWriter.error(channel, Messages.INVOCATION_ERROR, e.getMessage())); // its own callee's failure, named already
        } catch (Exception | Error e) {
            send(FrameWriter.error(channel, Messages.INVOCATION_ERROR, e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage())));
        }
        send(FrameWriter.choke(channel));
    }

    private void send(Frame f) {
        byte[] bytes = FrameWriter.encode(f);
        synchronized (out) {
            try {
                out.write(bytes);
                out.flush();
            } catch (IOException e) {
                // the worker beside is gone: this process ends when its stdin does
            }
        }
    }
}
