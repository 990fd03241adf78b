package dev.steward.worker.fn;

import dev.steward.protocol.Frame;
import dev.steward.protocol.FrameReader;
import dev.steward.protocol.FrameWriter;
import dev.steward.protocol.Messages;
import dev.steward.protocol.ProtocolException;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import org.msgpack.value.ValueFactory;

/**
 * Other-worker calls: each on a connection to the agent's call socket ({@code STEWARD_CALLS}), kept
 * for the next call once its reply has ended: {@code invoke(token, caller, callee, depth, data)},
 * the reply as chunks, an error, then choke.
 */
final class Calls {
    private final String socket;
    private final ConcurrentLinkedDeque<SocketChannel> idle = new ConcurrentLinkedDeque<>();

    Calls(String socket) {
        this.socket = socket;
    }

    Steward.Chunks stream(Invocation caller, String callee, byte[] data) throws CallException {
        if (socket == null || socket.isEmpty()) throw new CallException("function " + callee + " failed: this worker was not told where other-worker calls go (STEWARD_CALLS)", null);
        SocketChannel ch = idle.pollFirst();
        try {
            if (ch == null) ch = SocketChannel.open(UnixDomainSocketAddress.of(socket));
            ByteBuffer b = ByteBuffer.wrap(FrameWriter.encode(new Frame(0, 1, List.of(FrameWriter.text(caller.token()), FrameWriter.text(caller.name()),
                    FrameWriter.text(callee), ValueFactory.newInteger(caller.depth()), ValueFactory.newBinary(data)))));
            while (b.hasRemaining()) ch.write(b);
        } catch (IOException e) {
            closeQuietly(ch);
            throw new CallException("function " + callee + " failed: the agent's call socket: " + e.getMessage(), e);
        }
        return new Reply(ch, callee);
    }

    private final class Reply implements Steward.Chunks {
        private final SocketChannel ch;
        private final String callee;
        private final FrameReader reader = new FrameReader();
        private final ArrayDeque<Frame> frames = new ArrayDeque<>();
        private final ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
        private String error;
        private boolean ended;

        Reply(SocketChannel ch, String callee) {
            this.ch = ch;
            this.callee = callee;
        }

        @Override
        public byte[] next() throws CallException {
            while (!ended) {
                Frame f = frames.pollFirst();
                if (f == null) {
                    read();
                    continue;
                }
                switch ((int) f.message()) {
                    case Messages.CHUNK -> {
                        return f.args().get(0).asRawValue().asByteArray();
                    }
                    case Messages.ERROR -> error = f.args().size() > 1 && f.args().get(1).isRawValue() ? f.args().get(1).asRawValue().asString() : "error";
                    case Messages.CHOKE -> {
                        ended = true;
                        idle.addFirst(ch);
                    }
                    default -> { } // nothing else is sent on a call
                }
            }
            if (error != null) throw new CallException("function " + callee + " failed: " + error, null);
            return null;
        }

        private void read() throws CallException {
            try {
                buf.clear();
                int n = ch.read(buf);
                if (n < 0) throw new IOException("the agent closed the call");
                frames.addAll(reader.feed(buf.array(), 0, n));
            } catch (IOException | ProtocolException e) {
                ended = true;
                closeQuietly(ch);
                throw new CallException("function " + callee + " failed: " + e.getMessage(), e);
            }
        }

        @Override
        public void close() {
            if (!ended) {
                ended = true;
                closeQuietly(ch); // a reply let go before its end: its connection cannot be used again
            }
        }
    }

    private static void closeQuietly(SocketChannel ch) {
        if (ch == null) return;
        try {
            ch.close();
        } catch (IOException ignored) {
            // gone already
        }
    }
}
