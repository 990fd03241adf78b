package dev.steward.worker;

import dev.steward.protocol.Frame;
import dev.steward.protocol.FrameInput;
import dev.steward.protocol.FrameWriter;
import dev.steward.protocol.Messages;
import dev.steward.protocol.WorkerMessage;
import dev.steward.protocol.WorkerMessage.FromWorker;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
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
 * Each invocation runs on a virtual thread of its own, or, with {@link #callsOnReader()}, on the thread that read it.
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
    private volatile boolean onReader;

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

    /**
     * Each invocation runs on the platform thread that read it, which first hands the reading on to another thread of
     * a pool (leader and followers), instead of on a virtual thread started by the one reader: a call never waits
     * for another thread to be scheduled before it runs, nor its request's frames for a virtual thread's poller.
     * For workers whose calls are short and whose first byte counts (a function's, thawed for its call).
     */
    public Worker callsOnReader() {
        onReader = true;
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

        /** The messages' frames, in one write. */
        void send(FromWorker... ms) throws IOException {
            ByteBuffer b;
            if (ms.length == 1) {
                b = ByteBuffer.wrap(FrameWriter.encode(ms[0].frame()));
            } else {
                ByteArrayOutputStream all = new ByteArrayOutputStream();
                for (FromWorker m : ms) all.writeBytes(FrameWriter.encode(m.frame()));
                b = ByteBuffer.wrap(all.toByteArray());
            }
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
     * (throws). Invocations run on virtual threads, or on the threads that read them ({@link #callsOnReader()}).
     */
    public String run() throws IOException {
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(endpoint))) {
            Link link = new Link(ch);
            link.send(new WorkerMessage.Handshake(uuid));
            link.send(new WorkerMessage.Heartbeat());
            Thread beats = Thread.ofVirtual().name("steward-worker-heartbeat").start(() -> beat(link));
            try {
                FrameInput in = new FrameInput(Channels.newInputStream(ch), "the agent"); // read by one thread at a time
                if (onReader) new Leaders(in, link).serve();
                else read(in, link);
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

    /** The next frame of the last read, if it is not an invocation (those are for the next leader); else null, not reading. */
    private static Frame nextOfCall(FrameInput in) throws IOException {
        Frame f = in.peek();
        return f == null || f.message() == Messages.INVOKE ? null : in.next();
    }

    private void read(FrameInput r, Link link) throws IOException {
        for (Frame f; terminated == null && (f = r.next()) != null; ) {
            Runnable call = handle(f, link);
            if (call != null) Thread.ofVirtual().name("steward-worker-call").start(call);
        }
    }

    /**
     * Leader and followers: the thread that reads an invocation gives it the frames read with it (its chunks and end),
     * hands the reading on to another thread of the pool, and runs it.
     */
    private final class Leaders {
        private final FrameInput reading;
        private final Link link;
        private final ExecutorService threads =
                Executors.newCachedThreadPool(r -> Thread.ofPlatform().daemon().name("steward-worker-call").unstarted(r));
        private final CompletableFuture<IOException> ended = new CompletableFuture<>();

        Leaders(FrameInput reading, Link link) {
            this.reading = reading;
            this.link = link;
        }

        /** Returns once the reading ended (the agent terminated this worker or closed); throws what broke it. */
        void serve() throws IOException {
            threads.execute(this::lead);
            try {
                IOException broken = ended.join();
                if (broken != null) throw broken;
            } finally {
                threads.shutdown();
            }
        }

        private void lead() {
            Runnable call = null;
            try {
                while (call == null) {
                    Frame f = terminated == null ? reading.next() : null;
                    if (f == null) {
                        ended.complete(null);
                        return;
                    }
                    call = handle(f, link);
                }
                for (Frame f; terminated == null && (f = nextOfCall(reading)) != null; ) handle(f, link);
            } catch (IOException | RuntimeException e) {
                ended.complete(e instanceof IOException io ? io : new IOException(e));
                return;
            }
            if (terminated == null) threads.execute(this::lead);
            else ended.complete(null);
            call.run();
        }
    }

    /** Handles a frame from the agent; an invocation's call is returned, to be run. */
    private Runnable handle(Frame f, Link link) throws IOException {
        long s = f.session();
        switch ((int) f.message()) {
            case Messages.HEARTBEAT -> { } // the agent's echo
            case Messages.TERMINATE -> {
                String reason = f.args().size() > 1 && f.args().get(1).isRawValue() ? f.args().get(1).asRawValue().asString() : "terminated";
                link.send(new WorkerMessage.Terminate(Messages.TERMINATE_NORMAL, reason));
                terminated = reason;
            }
            case Messages.INVOKE -> {
                return invoke(s, f.args(), link);
            }
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
        return null;
    }

    /** The call of an invocation, or null when it was answered already (an error). */
    private Runnable invoke(long session, List<Value> args, Link link) {
        Response res = new Response(link, session);
        if (args.isEmpty() || !args.get(0).isRawValue()) {
            res.error(Messages.INVOCATION_ERROR, "invoke takes the event name");
            return null;
        }
        String event = args.get(0).asRawValue().asString();
        Handler h = handlers.getOrDefault(event, otherwise);
        if (h == null) {
            res.error(Messages.INVOCATION_ERROR, "app " + app + " has no handler for event '" + event + "'");
            return null;
        }
        Request req = new Request(event);
        requests.put(session, req);
        return () -> {
            try {
                h.handle(req, res);
                res.close();
            } catch (Exception | Error e) {
                try {
                    res.error(Messages.INVOCATION_ERROR, e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
                } catch (UncheckedIOException gone) {
                    // the agent went away: nothing is left to tell
                }
            }
        };
    }

    private static String text(Value v) {
        return v.isRawValue() ? v.asRawValue().asString() : v.toString();
    }
}
