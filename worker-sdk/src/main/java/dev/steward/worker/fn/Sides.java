package dev.steward.worker.fn;

import dev.steward.protocol.Frame;
import dev.steward.protocol.FrameInput;
import dev.steward.protocol.Messages;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;

/**
 * A java worker's same-worker callees of another runtime (python, node, shell), from {@code STEWARD_SIDES} (one line
 * per function loaded: NAME TAB RUNTIME TAB TIMEOUT-MS TAB PROGRAM): each runtime's worker program started beside this
 * JVM, as its child (so in its sandbox), at the first call there, and kept while this worker lives. A JVM cannot hand
 * its child a socket, so the child is told {@code STEWARD_SIDE_SOCKET}, a unix socket this JVM listens on for it alone,
 * and connects to it; calls go there, {@code [0, CHANNEL, [NAME, WORKFLOW-DIR, SCRATCH-DIR, DEPTH, TOKEN, DATA]]}, each
 * answered on its channel (CHUNK, ERROR, CHOKE). A call there that outlives its callee's timeout is stopped with the
 * process it runs in (it and every process below it killed; its other calls fail naming their callees; the next call
 * starts another).
 */
final class Sides {
    /** The longest a process beside may take to connect back. */
    static final Duration CONNECT_LIMIT = Duration.ofSeconds(30);

    record Callee(String runtime, Duration timeout, String program) {}

    private final Map<String, Callee> callees;
    private final Map<String, String> env;
    private final Duration spin;
    private final Map<String, Side> running = new HashMap<>(); // guarded by this

    Sides(Map<String, Callee> callees, Map<String, String> env) {
        this.callees = Map.copyOf(callees);
        this.env = Map.copyOf(env);
        this.spin = spin(env.get("STEWARD_SIDE_SPIN_US"));
    }

    /** How long a caller looks for its reply before it parks, from {@code STEWARD_SIDE_SPIN_US} (µs, 0 to 1000000): {@link #SPIN} when unset. */
    static Duration spin(String given) {
        if (given == null || given.isBlank()) return SPIN;
        try {
            long us = Long.parseLong(given.strip());
            if (us >= 0 && us <= 1_000_000) return Duration.ofNanos(us * 1000);
        } catch (NumberFormatException e) {
            // said below
        }
        throw new IllegalArgumentException("STEWARD_SIDE_SPIN_US must be a count of microseconds from 0 to 1000000, not '" + given + "'");
    }

    /** From {@code STEWARD_SIDES}; {@code env} is what the processes beside start with (this worker's, as it was given). */
    static Sides parse(String text, Map<String, String> env) {
        Map<String, Callee> out = new HashMap<>();
        for (String line : text.split("\n")) {
            if (line.isBlank()) continue;
            String[] f = line.split("\t", 4);
            if (f.length != 4) throw new IllegalArgumentException("STEWARD_SIDES: a line is not NAME, RUNTIME, TIMEOUT-MS and PROGRAM: " + line);
            out.put(f[0], new Callee(f[1], Duration.ofMillis(Long.parseLong(f[2])), f[3]));
        }
        return new Sides(out, env);
    }

    /** Whether {@code callee} runs beside this JVM (another runtime's function loaded here). */
    boolean beside(String callee) {
        Callee c = callees.get(callee);
        return c != null && !c.runtime().equals("java");
    }

    /** Calls {@code f.name()} in its runtime's process beside, started now if it is not running. */
    Steward.Chunks stream(Invocation f, byte[] data) throws CallException {
        Callee c = callees.get(f.name());
        Side side;
        synchronized (this) {
            side = running.get(c.runtime());
            if (side == null || side.gone != null) {
                try {
                    side = new Side(c.runtime(), c.program(), env, spin);
                } catch (IOException e) {
                    throw new CallException("function " + f.name() + " failed: its " + c.runtime() + " process beside did not start: " + e.getMessage(), e);
                }
                running.put(c.runtime(), side);
            }
        }
        return side.call(f, data, c.timeout());
    }

    /** One runtime's process beside this JVM. */
    private static final class Side {
        private final String runtime;
        private final Process process;
        private final SocketChannel ch;
        private final Map<Long, BlockingQueue<Frame>> channels = new ConcurrentHashMap<>();
        private final AtomicLong ids = new AtomicLong();
        private volatile String gone; // why calls can no longer go to it; set once
        private final long spinNanos;

        Side(String runtime, String program, Map<String, String> env, Duration spin) throws IOException {
            this.runtime = runtime;
            this.spinNanos = spin.toNanos();
            Path dir = Files.createTempDirectory("steward-side-");
            Path path = dir.resolve("side.sock");
            try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX); Selector selector = Selector.open()) {
                server.bind(UnixDomainSocketAddress.of(path));
                ProcessBuilder pb = new ProcessBuilder(program).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                        .redirectOutput(ProcessBuilder.Redirect.INHERIT).redirectError(ProcessBuilder.Redirect.INHERIT);
                pb.environment().clear();
                pb.environment().putAll(env);
                pb.environment().keySet().removeIf(k -> k.startsWith("STEWARD_SIDE_") || k.startsWith("STEWARD_POOL"));
                pb.environment().put("STEWARD_RUNTIME", runtime);
                pb.environment().put("STEWARD_SIDE_SOCKET", path.toString());
                process = pb.start();
                server.configureBlocking(false);
                server.register(selector, SelectionKey.OP_ACCEPT);
                long deadline = System.nanoTime() + CONNECT_LIMIT.toNanos();
                SocketChannel got = null;
                while (got == null) {
                    if (!process.isAlive()) throw new IOException("it exited with status " + process.exitValue() + " before it connected");
                    long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                    if (left <= 0) {
                        kill();
                        throw new IOException("it did not connect within " + CONNECT_LIMIT.toSeconds() + "s");
                    }
                    selector.select(Math.min(left, 100));
                    got = server.accept();
                }
                got.configureBlocking(true);
                ch = got;
            } finally {
                Files.deleteIfExists(path);
                Files.deleteIfExists(dir);
            }
            Thread.ofPlatform().daemon().name("steward-side-" + runtime).start(this::read);
        }

        private void read() {
            FrameInput in = new FrameInput(Channels.newInputStream(ch), "the " + runtime + " process");
            try {
                for (Frame f; (f = in.next()) != null; ) {
                    BlockingQueue<Frame> q = channels.get(f.session());
                    if (q != null) q.add(f);
                }
            } catch (IOException e) {
                // said below as its end
            }
            String status;
            try {
                status = process.waitFor(5, TimeUnit.SECONDS) ? "status " + process.exitValue() : "still running";
            } catch (InterruptedException e) {
                status = "unknown";
            }
            if (gone == null) gone = "its " + runtime + " process exited (" + status + ")";
            channels.values().forEach(q -> q.add(END));
        }

        /** Kills the process and every process below it: a call in it outlived its timeout, and only so is its work stopped. */
        void stop(String why) {
            if (gone == null) gone = "its " + runtime + " process was stopped (" + why + ")";
            kill();
        }

        private void kill() {
            List<ProcessHandle> tree = process.descendants().toList();
            process.destroyForcibly();
            tree.forEach(ProcessHandle::destroyForcibly);
        }

        Steward.Chunks call(Invocation f, byte[] data, Duration timeout) throws CallException {
            long channel = ids.incrementAndGet();
            BlockingQueue<Frame> q = new LinkedBlockingQueue<>();
            channels.put(channel, q);
            if (gone != null) q.add(END); // it ended before this call was registered
            ByteBuffer b = ByteBuffer.wrap(frame(channel, f, data));
            synchronized (ch) {
                try {
                    while (b.hasRemaining()) ch.write(b);
                } catch (IOException e) {
                    // the reader says how it went
                }
            }
            long deadline = System.nanoTime() + timeout.toNanos();
            return new Steward.Chunks() {
                private String error;
                private boolean ended;

                @Override
                public byte[] next() throws CallException {
                    while (!ended) {
                        Frame got = awaitBriefly(q, spinNanos);
                        try {
                            if (got == null) got = q.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            close();
                            throw new CallException("function " + f.name() + " failed: interrupted", e);
                        }
                        if (got == null) {
                            close();
                            stop("a call to " + f.name() + " timed out after " + seconds(timeout));
                            throw new CallException("function " + f.name() + " failed: timed out after " + seconds(timeout), null);
                        }
                        if (got == END) {
                            close();
                            throw new CallException("function " + f.name() + " failed: " + gone, null);
                        }
                        switch ((int) got.message()) {
                            case Messages.CHUNK -> {
                                return got.args().get(0).asRawValue().asByteArray();
                            }
                            case Messages.ERROR -> error = got.args().size() > 1 && got.args().get(1).isRawValue()
                                    ? got.args().get(1).asRawValue().asString() : "error";
                            case Messages.CHOKE -> {
                                close();
                                if (error != null) throw new CallException("function " + f.name() + " failed: " + error, null);
                            }
                            default -> { } // nothing else is sent on a call's channel
                        }
                    }
                    return null;
                }

                @Override
                public void close() {
                    ended = true;
                    channels.remove(channel);
                }
            };
        }
    }

    /**
     * A reply frame if it comes within {@code spinNanos}, looked for without parking: a parked (virtual) calling thread is
     * woken by the reader through its scheduler and a carrier thread, a second wake-up after the reader's own, which cost
     * more than a callee's whole reply; else null, and the caller parks.
     */
    static Frame awaitBriefly(BlockingQueue<Frame> q, long spinNanos) {
        Frame got = q.poll();
        if (got != null || spinNanos <= 0) return got;
        long until = System.nanoTime() + spinNanos;
        while (System.nanoTime() - until < 0) {
            Thread.onSpinWait();
            got = q.poll();
            if (got != null) return got;
        }
        return null;
    }

    /** How long a caller looks for its reply before it parks unless {@code STEWARD_SIDE_SPIN_US} says otherwise: about a quick callee's round trip beside. */
    static final Duration SPIN = Duration.ofNanos(100_000);

    /**
     * A call's frame in today's msgpack, as the python and node workers send theirs: the names as str, the data as bin
     * (the protocol's old-spec raw would reach a python handler as str).
     */
    static byte[] frame(long channel, Invocation f, byte[] data) {
        MessageBufferPacker p = MessagePack.newDefaultBufferPacker();
        try {
            p.packArrayHeader(3).packInt(0).packLong(channel).packArrayHeader(6).packString(f.name()).packString(f.workflow())
                    .packString(f.scratch()).packInt(f.depth()).packString(f.token()).packBinaryHeader(data.length);
            p.writePayload(data);
            p.close();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e); // a buffer packer does not fail
        }
        return p.toByteArray();
    }

    /** A timeout as the other runtimes' workers say it: 5s, 0.5s. */
    static String seconds(Duration d) {
        long ms = d.toMillis();
        return (ms % 1000 == 0 ? Long.toString(ms / 1000) : java.math.BigDecimal.valueOf(ms, 3).stripTrailingZeros().toPlainString()) + "s";
    }

    /** What a call's queue is given when the process beside ended. */
    private static final Frame END = new Frame(Messages.CHOKE, 0, List.of());
}
