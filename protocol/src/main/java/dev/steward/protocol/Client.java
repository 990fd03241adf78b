package dev.steward.protocol;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.msgpack.value.Value;
import org.msgpack.value.ValueFactory;

/**
 * A client of a Steward node through its locator: apps by name ({@link #app}), and the node service
 * ({@link #startApp}, {@link #pauseApp}, {@link #list}). One connection per service, shared by
 * every call on it; thread-safe.
 *
 * <pre>{@code
 * try (Client c = Client.connect("127.0.0.1", 10053)) {
 *     byte[] reply = c.app("echo").enqueue("echo", "hi".getBytes()).readAll();
 * }
 * }</pre>
 */
public final class Client implements AutoCloseable {
    private final RpcConnection locator;
    private final Duration wait;
    private final Map<String, RpcConnection> services = new ConcurrentHashMap<>();

    private Client(RpcConnection locator, Duration wait) {
        this.locator = locator;
        this.wait = wait;
    }

    /** Connects to the locator at {@code host:port}; every reply is waited for at most {@code wait}. */
    public static Client connect(String host, int port, Duration wait) throws IOException {
        return new Client(new RpcConnection(host, port), wait);
    }

    public static Client connect(String host, int port) throws IOException {
        return connect(host, port, Duration.ofSeconds(30));
    }

    private RpcConnection service(String name) throws IOException, InterruptedException, RpcException {
        RpcConnection c = services.get(name);
        if (c != null && !c.closed()) return c;
        RpcConnection.Resolved r = locator.resolve(name, wait);
        RpcConnection fresh = new RpcConnection(r.host(), r.port());
        RpcConnection prior = services.put(name, fresh);
        if (prior != null) prior.close();
        return fresh;
    }

    /** An app's service. */
    public App app(String name) throws IOException, InterruptedException, RpcException {
        return new App(service(name));
    }

    /** Starts apps with profiles; each app's outcome in words. */
    public Map<String, String> startApp(Map<String, String> appToProfile) throws IOException, InterruptedException, RpcException {
        Map<Value, Value> m = new LinkedHashMap<>();
        appToProfile.forEach((a, p) -> m.put(FrameWriter.text(a), FrameWriter.text(p)));
        return texts(service("node").call(Messages.START_APP, ValueFactory.newMap(m)).value(wait));
    }

    public Map<String, String> pauseApp(List<String> apps) throws IOException, InterruptedException, RpcException {
        return texts(service("node").call(Messages.PAUSE_APP, ValueFactory.newArray(apps.stream().map(FrameWriter::text).toList())).value(wait));
    }

    /** The apps running on the node. */
    public List<String> list() throws IOException, InterruptedException, RpcException {
        List<String> out = new ArrayList<>();
        for (Value v : service("node").call(Messages.LIST).value(wait).asArrayValue()) out.add(v.asRawValue().asString());
        return out;
    }

    private static Map<String, String> texts(Value v) {
        Map<String, String> out = new LinkedHashMap<>();
        v.asMapValue().map().forEach((k, x) -> out.put(k.asRawValue().asString(), x.asRawValue().asString()));
        return out;
    }

    /** One app's service: events in, reply streams out. */
    public final class App {
        private final RpcConnection connection;

        private App(RpcConnection connection) {
            this.connection = connection;
        }

        public Stream enqueue(String event, byte[] data) throws IOException {
            return new Stream(connection.call(Messages.ENQUEUE, FrameWriter.text(event), FrameWriter.bytes(data)));
        }

        /** With a {@code tag} (the worker to pin to, or empty) and a {@code timeout} for the whole event (zero: none). */
        public Stream enqueue(String event, byte[] data, String tag, Duration timeout) throws IOException {
            return new Stream(connection.call(Messages.ENQUEUE, FrameWriter.text(event), FrameWriter.bytes(data), FrameWriter.text(tag),
                    ValueFactory.newFloat(timeout.toNanos() / 1e9)));
        }

        /** The engine's description of the app: queue, workers, state. */
        public Value info() throws IOException, InterruptedException, RpcException {
            return connection.call(Messages.INFO).value(wait);
        }
    }

    /** An event's reply: its chunks as they come. */
    public final class Stream {
        private final RpcConnection.Call call;
        private boolean ended;

        private Stream(RpcConnection.Call call) {
            this.call = call;
        }

        /** The next chunk, or null once the reply is complete; an error reply is an {@link RpcException}. */
        public byte[] next() throws InterruptedException, RpcException {
            if (ended) return null;
            Reply r = call.next(wait);
            switch (r) {
                case Reply.Chunk c -> {
                    return c.data();
                }
                case Reply.Error e -> {
                    ended = true;
                    if (e.code() != 0) call.next(wait); // its choke
                    throw new RpcException(e.code(), e.message());
                }
                case Reply.Choke c -> {
                    ended = true;
                    return null;
                }
            }
        }

        /** Every chunk, joined. */
        public byte[] readAll() throws InterruptedException, RpcException {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            for (byte[] b; (b = next()) != null; ) out.writeBytes(b);
            return out.toByteArray();
        }
    }

    @Override
    public void close() throws IOException {
        for (RpcConnection c : services.values()) c.close();
        locator.close();
    }
}
