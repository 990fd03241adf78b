package dev.steward.worker;

import dev.steward.protocol.Frame;
import dev.steward.protocol.FrameReader;
import dev.steward.protocol.FrameWriter;
import dev.steward.protocol.Messages;
import dev.steward.protocol.ProtocolException;
import dev.steward.protocol.WorkerMessage;
import dev.steward.protocol.WorkerMessage.FromWorker;
import java.io.IOException;
import java.io.InputStream;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.msgpack.value.Value;

/**
 * A worker of an app. The agent starts it with {@code --app NAME --endpoint SOCKET --uuid UUID} (and
 * the same in {@code STEWARD_APP}, {@code STEWARD_ENDPOINT}, {@code STEWARD_UUID}):
 *
 * <pre>{@code
 * public static void main(String[] args) throws Exception {
 *     Worker.fromArgs(args).on("echo", (req, res) -> { res.write(req.readAll()); res.close(); }).run();
 * }
 * }</pre>
 *
 * <p>{@link #run()} connects, sends the handshake, a heartbeat now and every {@link #heartbeat}
 * after, and serves invocations until the agent says terminate (answered with terminate) or goes away.
 */
public final class Worker {
    private final String app;
    private final Path endpoint;
    private final String uuid;
    private final Map<String, Handler> handlers = new ConcurrentHashMap<>();
    private volatile Handler otherwise;
    private final Map<Long, Request> requests = new ConcurrentHashMap<>();
    private Duration heartbeat = Duration.ofSeconds(5);
    private volatile String terminated;

    public Worker(String app, Path endpoint, String uuid) {
        this.app = app;
        this.endpoint = endpoint;
        this.uuid = uuid;
    }

    /** From the agent's arguments, else its environment; a missing one is an {@link IllegalArgumentException}. */
    public static Worker fromArgs(String[] args) {
        return from(args, System.getenv());
    }

    /** From the agent's arguments, else {@code env} (the environment a worker was given after its start). */
    public static Worker from(String[] args, Map<String, String> env) {
        Map<String, String> given = new java.util.HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (args[i].startsWith("--")) given.put(args[i].substring(2), args[i + 1]);
        }
        Worker w = new Worker(need(given, "app", env.get("STEWARD_APP"), "STEWARD_APP"),
                Path.of(need(given, "endpoint", env.get("STEWARD_ENDPOINT"), "STEWARD_ENDPOINT")),
                need(given, "uuid", env.get("STEWARD_UUID"), "STEWARD_UUID"));
        String every = env.get("STEWARD_HEARTBEAT"); // seconds, set by the agent from the profile's heartbeat-timeout
        if (every != null) {
            try {
                w.heartbeat(Duration.ofMillis(Math.max(10, (long) (Double.parseDouble(every) * 1000))));
            } catch (NumberFormatException e) {
                // the default stays
            }
        }
        return w;
    }

    private static String need(Map<String, String> given, String option, String fallback, String env) {
        String v = given.getOrDefault(option, fallback);
        if (v == null || v.isBlank()) throw new IllegalArgumentException("--" + option + " (or " + env + ") is required");
        return v;
    }

    public String app() {
        return app;
    }

    public Worker on(String event, Handler handler) {
        handlers.put(event, handler);
        return this;
    }

    /** Handles every event that has no handler of its own ({@link Request#event()} says which). */
    public Worker otherwise(Handler handler) {
        otherwise = handler;
        return this;
    }

    /** How often a heartbeat is sent (well under the profile's heartbeat-timeout). */
    public Worker heartbeat(Duration every) {
        heartbeat = every;
        return this;
    }

    /** The framed connection to the agent; writes from any thread. */
    static final class Link {
        private final SocketChannel channel;
        private final ReentrantLock writing = new ReentrantLock();

        Link(SocketChannel channel) {
            this.channel = channel;
        }

        void send(FromWorker m) throws IOException {
            ByteBuffer b = ByteBuffer.wrap(FrameWriter.encode(m.frame()));
            writing.lock();
            try {
                while (b.hasRemaining()) channel.write(b);
            } finally {
                writing.unlock();
            }
        }
    }

    /**
     * Serves until the agent terminates this worker (returns its reason) or the connection ends
     * (throws). Invocations run on virtual threads.
     */
    public String run() throws IOException {
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(endpoint))) {
            Link link = new Link(ch);
            link.send(new WorkerMessage.Handshake(uuid));
            link.send(new WorkerMessage.Heartbeat());
            Thread beats = Thread.ofVirtual().name("steward-worker-heartbeat").start(() -> beat(link));
            try {
                read(ch, link);
            } finally {
                beats.interrupt();
                requests.values().forEach(r -> r.end("the worker is stopping"));
            }
            if (terminated != null) return terminated;
            throw new IOException("the agent closed the connection");
        }
    }

    private void beat(Link link) {
        try {
            while (terminated == null) {
                Thread.sleep(heartbeat.toMillis());
                link.send(new WorkerMessage.Heartbeat());
            }
        } catch (InterruptedException | IOException e) {
            // stopping
        }
    }

    private void read(SocketChannel ch, Link link) throws IOException {
        FrameReader reader = new FrameReader();
        InputStream in = Channels.newInputStream(ch);
        byte[] buf = new byte[64 * 1024];
        for (int n; terminated == null && (n = in.read(buf)) > 0; ) {
            List<Frame> frames;
            try {
                frames = reader.feed(buf, 0, n);
            } catch (ProtocolException e) {
                throw new IOException("the agent sent a broken frame: " + e.getMessage(), e);
            }
            for (Frame f : frames) {
                handle(f, link);
                if (terminated != null) return;
            }
        }
    }

    private void handle(Frame f, Link link) throws IOException {
        long s = f.session();
        switch ((int) f.message()) {
            case Messages.HEARTBEAT -> { } // the agent's echo
            case Messages.TERMINATE -> {
                String reason = f.args().size() > 1 && f.args().get(1).isRawValue() ? f.args().get(1).asRawValue().asString() : "terminated";
                link.send(new WorkerMessage.Terminate(Messages.TERMINATE_NORMAL, reason));
                terminated = reason;
            }
            case Messages.INVOKE -> invoke(s, f.args(), link);
            case Messages.CHUNK -> {
                Request r = requests.get(s);
                if (r != null && !f.args().isEmpty()) r.push(f.args().get(0).asRawValue().asByteArray());
            }
            case Messages.ERROR -> {
                Request r = requests.remove(s);
                if (r != null) r.end(f.args().size() > 1 ? text(f.args().get(1)) : "error");
            }
            case Messages.CHOKE -> {
                Request r = requests.remove(s);
                if (r != null) r.end(null);
            }
            default -> { } // nothing else is meant for a worker
        }
    }

    private void invoke(long session, List<Value> args, Link link) {
        Response res = new Response(link, session);
        if (args.isEmpty() || !args.get(0).isRawValue()) {
            res.error(Messages.INVOCATION_ERROR, "invoke takes the event name");
            return;
        }
        String event = args.get(0).asRawValue().asString();
        Handler h = handlers.getOrDefault(event, otherwise);
        if (h == null) {
            res.error(Messages.INVOCATION_ERROR, "app " + app + " has no handler for event '" + event + "'");
            return;
        }
        Request req = new Request(event);
        requests.put(session, req);
        Thread.ofVirtual().name("steward-worker-" + event).start(() -> {
            try {
                h.handle(req, res);
                res.close();
            } catch (Exception | Error e) {
                res.error(Messages.INVOCATION_ERROR, e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
            }
        });
    }

    private static String text(Value v) {
        return v.isRawValue() ? v.asRawValue().asString() : v.toString();
    }
}
