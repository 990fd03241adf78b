package dev.steward.protocol;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.msgpack.core.MessagePack;
import org.msgpack.value.ArrayValue;
import org.msgpack.value.Value;
import org.msgpack.value.ValueFactory;

/**
 * A blocking client connection to a service (the locator, an app, the node service): calls open
 * sessions, many at once on one connection, and each {@link Call} reads its own replies. A virtual
 * thread reads the socket and hands each frame to its session.
 */
public final class RpcConnection implements AutoCloseable {
    private final Socket socket;
    private final OutputStream out;
    private final ReentrantLock writing = new ReentrantLock();
    private final AtomicLong sessions = new AtomicLong();
    private final Map<Long, BlockingQueue<Reply>> open = new ConcurrentHashMap<>();
    private volatile String failure;

    public RpcConnection(String host, int port) throws IOException {
        socket = new Socket();
        socket.connect(new InetSocketAddress(host, port), 5000);
        socket.setTcpNoDelay(true);
        out = socket.getOutputStream();
        Thread.ofVirtual().name("steward-rpc-reader").start(this::read);
    }

    /** One call: its replies in order; {@link #next} waits for each. */
    public final class Call {
        private final long session;
        private final BlockingQueue<Reply> replies;

        private Call(long session, BlockingQueue<Reply> replies) {
            this.session = session;
            this.replies = replies;
        }

        public long session() {
            return session;
        }

        /** The next reply, or an error reply (code 0) when the connection ended or {@code wait} passed. */
        public Reply next(Duration wait) throws InterruptedException {
            Reply r = replies.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
            if (r == null) return new Reply.Error(0, failure != null ? failure : "no reply within " + wait.toMillis() + "ms");
            if (r instanceof Reply.Choke) open.remove(session);
            return r;
        }

        /** Sends more on this session (a chunk of a request stream, or a choke to end it). */
        public void send(Frame f) throws IOException {
            write(FrameWriter.encode(f));
        }

        /**
         * The call's value: one chunk holding msgpack, then choke. An error reply becomes an {@link RpcException}.
         */
        public Value value(Duration wait) throws InterruptedException, RpcException {
            Reply first = next(wait);
            switch (first) {
                case Reply.Chunk c -> {
                    Reply end = next(wait);
                    if (end instanceof Reply.Error e) throw new RpcException(e.code(), e.message());
                    try {
                        return MessagePack.newDefaultUnpacker(c.data()).unpackValue();
                    } catch (IOException e) {
                        throw new RpcException(0, "the reply is not msgpack: " + e.getMessage());
                    }
                }
                case Reply.Error e -> {
                    next(wait);
                    throw new RpcException(e.code(), e.message());
                }
                case Reply.Choke c -> {
                    return ValueFactory.newNil();
                }
            }
        }
    }

    /** Opens a session calling {@code method} with {@code args}. */
    public Call call(long method, Value... args) throws IOException {
        long session = sessions.incrementAndGet();
        BlockingQueue<Reply> q = new LinkedBlockingQueue<>();
        open.put(session, q);
        write(FrameWriter.encode(new Frame(method, session, List.of(args))));
        return new Call(session, q);
    }

    /** Listens on a session whose frames the caller writes itself with {@link #write} (raw, perhaps in pieces). */
    public Call listen(long session) {
        BlockingQueue<Reply> q = new LinkedBlockingQueue<>();
        open.put(session, q);
        return new Call(session, q);
    }

    /** Writes raw bytes as they are (tests send broken frames with it). */
    public void write(byte[] bytes) throws IOException {
        writing.lock();
        try {
            out.write(bytes);
            out.flush();
        } finally {
            writing.unlock();
        }
    }

    /** Whether the peer closed the connection (or it failed). */
    public boolean closed() {
        return failure != null;
    }

    private void read() {
        FrameReader reader = new FrameReader();
        byte[] buf = new byte[64 * 1024];
        try (InputStream in = socket.getInputStream()) {
            for (int n; (n = in.read(buf)) > 0; ) {
                for (Frame f : reader.feed(buf, 0, n)) deliver(f);
            }
            failure = "the service closed the connection";
        } catch (IOException | ProtocolException e) {
            failure = "the connection failed: " + e.getMessage();
        }
        open.values().forEach(q -> q.add(new Reply.Error(0, failure)));
    }

    private void deliver(Frame f) {
        BlockingQueue<Reply> q = open.get(f.session());
        if (q == null) return;
        q.add(switch ((int) f.message()) {
            case Messages.CHUNK -> new Reply.Chunk(f.args().isEmpty() ? new byte[0] : f.args().get(0).asRawValue().asByteArray());
            case Messages.ERROR -> new Reply.Error(f.args().get(0).asIntegerValue().toInt(), text(f.args().get(1)));
            case Messages.CHOKE -> new Reply.Choke();
            default -> new Reply.Error(0, "unexpected message " + f.message());
        });
    }

    private static String text(Value v) {
        return v.isRawValue() ? v.asRawValue().asString() : v.toString();
    }

    /** Where a service listens, as the locator says. */
    public record Resolved(String host, int port, int version, Map<Integer, String> methods) {
        static Resolved of(Value v) {
            ArrayValue a = v.asArrayValue();
            ArrayValue endpoint = a.get(0).asArrayValue();
            Map<Integer, String> methods = new java.util.TreeMap<>();
            a.get(2).asMapValue().map().forEach((k, n) -> methods.put(k.asIntegerValue().toInt(), text(n)));
            return new Resolved(text(endpoint.get(0)), endpoint.get(1).asIntegerValue().toInt(), a.get(1).asIntegerValue().toInt(), methods);
        }
    }

    /** Asks a locator where {@code name} listens. */
    public Resolved resolve(String name, Duration wait) throws IOException, InterruptedException, RpcException {
        return Resolved.of(call(Messages.RESOLVE, FrameWriter.text(name)).value(wait));
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
