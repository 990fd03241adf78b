package dev.steward.agent.functions;

import dev.steward.agent.engine.WorkerSource;
import dev.steward.agent.isolate.InstanceHandle;
import dev.steward.agent.isolate.Isolate;
import dev.steward.agent.isolate.SpawnRequest;
import dev.steward.model.Resources;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * Generic workers started ahead and paused, per pool (a runtime's worker program in an isolate with
 * given limits). A worker of the pool starts with no function, connects to the pool's socket and
 * says its id; it is then frozen. Taken, it is thawed and sent the environment of the function it is
 * to serve (msgpack), after which it loads the function and connects to that function's engine as
 * any worker does: it belongs to that function's version from then on, never to another owner. The
 * pool refills in the background at its next tick (each second, so that a start does not compete with
 * the hand-over it follows), within its size and the machine's memory ({@link PoolPlan}).
 *
 * <p>All of the pool's state is owned by one thread ({@code owner}); spawning, freezing and the
 * workers' hellos happen on other threads and come back to it as tasks.
 */
final class WarmPool implements WorkerSource, AutoCloseable {
    /** What workers of one pool share: the program, the isolate, the limits. */
    record Key(String program, String isolate, Resources resources) {}

    private static final class Blank {
        final String id;
        final Key key;
        final Path log;
        final long generation;
        InstanceHandle handle;
        SocketChannel conn;

        Blank(String id, Key key, Path log, long generation) {
            this.id = id;
            this.key = key;
            this.log = log;
            this.generation = generation;
        }
    }

    private static final class Lane {
        final ArrayDeque<Blank> ready = new ArrayDeque<>();
        int starting;
        long lastUse;
        int failures;
        long lastFailure;
        long workerBytes = 64L << 20; // until one is measured
        long taken;
        long started;
        String lastError = "";
        String pausing = "";
    }

    private final Map<String, Integer> sizes;
    private final java.time.Duration idle;
    private final Function<String, Isolate> isolates;
    private final Map<String, String> env;
    private final Path run;
    private final Path logs;
    private final LongSupplier nanos;
    private final LongSupplier availableBytes;
    private final long reserveBytes;
    private final ExecutorService owner = Executors.newSingleThreadExecutor(Thread.ofVirtual().name("steward-fn-pool").factory());
    private final Map<Key, Lane> lanes = new HashMap<>();
    private final Map<String, Blank> pending = new HashMap<>();
    private final PoolSocket server;
    private final Path socket;
    private long ids;
    /** Owner: per program, how many times what its workers start with changed ({@link #renew}); a worker started before is let go. */
    private final Map<String, Long> generations = new HashMap<>();
    private volatile boolean closed;

    /**
     * @param sizes   each worker program's pool size (absent: 0, no pool)
     * @param env     what every pooled worker starts with (PYTHONPATH and the like)
     * @param run     where the pool's socket is made
     */
    WarmPool(Map<String, Integer> sizes, java.time.Duration idle, Function<String, Isolate> isolates, Map<String, String> env, Path run, Path logs,
             LongSupplier nanos, MemInfo memory) throws IOException {
        this.sizes = Map.copyOf(sizes);
        this.idle = idle;
        this.isolates = isolates;
        this.env = Map.copyOf(env);
        this.run = run;
        this.logs = logs;
        this.nanos = nanos;
        this.availableBytes = memory::availableBytes;
        this.reserveBytes = memory.totalBytes() / 10;
        socket = run.resolve("fn-pool.sock");
        server = new PoolSocket(socket, (id, conn) -> post(() -> hello(id, conn)));
        Thread.ofVirtual().name("steward-fn-pool-tick").start(this::ticks);
    }

    private PoolPlan plan(Key k) {
        return new PoolPlan(sizes.getOrDefault(k.program(), 0), idle, reserveBytes);
    }

    /** The pool of {@code k} is wanted (a function of it was added or called): it fills up, if it has a size. */
    void touch(Key k) {
        if (sizes.getOrDefault(k.program(), 0) == 0) return;
        post(() -> {
            lane(k).lastUse = nanos.getAsLong();
            refill(k);
        });
    }

    @Override
    public Optional<InstanceHandle> take(String program, String isolate, Resources resources, Map<String, String> workerEnv, Path dir, Path log) {
        Key k = new Key(program, isolate, resources);
        if (closed || sizes.getOrDefault(program, 0) == 0) return Optional.empty();
        Blank b = call(() -> {
            Lane l = lane(k);
            l.lastUse = nanos.getAsLong();
            Blank got = l.ready.pollFirst();
            if (got != null) l.taken++;
            else refill(k); // a pool not filled yet (its first use); else the next tick refills, not competing with this hand-over
            return got;
        });
        if (b == null) return Optional.empty();
        try {
            b.handle.resume();
            Map<String, String> told = new LinkedHashMap<>(workerEnv);
            told.put("STEWARD_DIR", dir.toString());
            b.conn.write(ByteBuffer.wrap(assignment(told)));
            b.conn.close();
            Files.createDirectories(log.getParent());
            Files.deleteIfExists(log);
            Files.createLink(log, b.log);
            Files.deleteIfExists(b.log); // its log is its function's now
            return Optional.of(b.handle);
        } catch (IOException | RuntimeException e) {
            b.handle.kill();
            post(() -> lane(k).lastError = "a paused worker could not be handed over: " + e.getMessage());
            return Optional.empty();
        }
    }

    /** The environment a worker is told, as a msgpack map of strings. */
    static byte[] assignment(Map<String, String> env) throws IOException {
        try (org.msgpack.core.MessageBufferPacker p = org.msgpack.core.MessagePack.newDefaultBufferPacker()) {
            p.packMapHeader(env.size());
            for (Map.Entry<String, String> e : env.entrySet()) p.packString(e.getKey()).packString(e.getValue());
            return p.toByteArray();
        }
    }

    private Lane lane(Key k) {
        return lanes.computeIfAbsent(k, x -> {
            Lane l = new Lane();
            l.lastUse = nanos.getAsLong();
            return l;
        });
    }

    private PoolPlan.Lane view(Lane l) {
        return new PoolPlan.Lane(l.ready.size(), l.starting, l.lastUse, l.failures, l.lastFailure, l.workerBytes);
    }

    /** Owner: starts what the plan says. */
    private void refill(Key k) {
        if (closed) return;
        Lane l = lane(k);
        for (int i = plan(k).toStart(nanos.getAsLong(), view(l), availableBytes.getAsLong()); i > 0; i--) spawn(k, l);
    }

    /** Owner: one more worker for {@code k}, spawned on a thread of its own. */
    private void spawn(Key k, Lane l) {
        String id = "pool-" + ProcessHandle.current().pid() + "-" + (++ids);
        Blank b = new Blank(id, k, logs.resolve(id + ".log"), generations.getOrDefault(k.program(), 0L));
        l.starting++;
        l.started++;
        pending.put(id, b);
        Map<String, String> e = new HashMap<>(env);
        e.put("STEWARD_POOL", socket.toString());
        e.put("STEWARD_POOL_ID", id);
        Thread.ofVirtual().name("steward-fn-pool-spawn").start(() -> {
            try {
                Files.createDirectories(logs);
                InstanceHandle h = isolates.apply(k.isolate()).spawn(new SpawnRequest("fn-pool", id, List.of(k.program()), run, e, b.log,
                        k.resources(), Map.of()));
                post(() -> spawned(b, h));
            } catch (IOException | RuntimeException ex) {
                post(() -> failed(b, "cannot start a worker of " + k.program() + ": " + ex.getMessage()));
            }
        });
    }

    private void spawned(Blank b, InstanceHandle h) {
        b.handle = h;
        h.exit().thenAccept(status -> post(() -> exited(b, status.describe())));
        if (closed) h.kill();
        else if (b.conn != null) freeze(b); // it said hello before its spawn returned
    }

    private void failed(Blank b, String why) {
        if (pending.remove(b.id, b)) {
            Lane l = lane(b.key);
            l.starting--;
            l.failures++;
            l.lastFailure = nanos.getAsLong();
            l.lastError = why;
        }
    }

    private void exited(Blank b, String status) {
        Lane l = lane(b.key);
        if (pending.containsKey(b.id)) {
            failed(b, "a worker of " + b.key.program() + " ended before it was ready: " + status + " (see " + b.log + ")");
        } else if (l.ready.remove(b)) {
            deleteQuietly(b.log); // removed unused: nothing to keep
        }
        closeQuietly(b.conn);
        refill(b.key);
    }

    /** A worker said its id: it is frozen where it waits for its function. */
    private void hello(String id, SocketChannel conn) {
        Blank b = pending.get(id);
        if (b == null || b.conn != null || closed) {
            closeQuietly(conn);
            return;
        }
        b.conn = conn;
        if (b.handle != null) freeze(b);
    }

    private void freeze(Blank b) {
        Thread.ofVirtual().name("steward-fn-pool-freeze").start(() -> {
            String problem = null;
            try {
                b.handle.pause();
            } catch (IOException | RuntimeException e) {
                problem = e.getMessage();
            }
            String failed = problem;
            long bytes = b.handle.usage().memoryBytes();
            post(() -> frozen(b, failed, bytes));
        });
    }

    private void frozen(Blank b, String problem, long bytes) {
        if (!pending.remove(b.id, b)) return; // gone meanwhile
        Lane l = lane(b.key);
        l.starting--;
        if (problem != null || closed) {
            l.lastError = problem == null ? "" : "cannot pause a worker: " + problem;
            b.handle.kill();
            return;
        }
        if (b.generation != generations.getOrDefault(b.key.program(), 0L)) { // started before what it starts with changed
            b.handle.kill();
            deleteQuietly(b.log);
            return;
        }
        l.failures = 0;
        if (bytes > 0) l.workerBytes = bytes;
        l.pausing = b.handle.pausing();
        l.ready.addLast(b);
    }

    /**
     * What the workers of {@code program} start with changed (java's ahead-of-time cache is made): its paused
     * workers, and those starting, are let go, and new ones started.
     */
    void renew(String program) {
        post(() -> {
            generations.merge(program, 1L, Long::sum);
            for (Map.Entry<Key, Lane> e : lanes.entrySet()) {
                if (!e.getKey().program().equals(program)) continue;
                for (Blank b; (b = e.getValue().ready.pollFirst()) != null; ) {
                    b.handle.kill();
                    deleteQuietly(b.log);
                }
                refill(e.getKey());
            }
        });
    }

    /** Owner, every second: pools unused for idle are emptied, the others refilled. */
    private void tick() {
        long now = nanos.getAsLong();
        for (Map.Entry<Key, Lane> e : lanes.entrySet()) {
            Lane l = e.getValue();
            if (plan(e.getKey()).idle(now, view(l))) {
                for (Blank b; (b = l.ready.pollFirst()) != null; ) {
                    b.handle.kill();
                    deleteQuietly(b.log);
                }
            } else {
                refill(e.getKey());
            }
        }
    }

    private void ticks() {
        while (!closed) {
            try {
                Thread.sleep(1_000);
            } catch (InterruptedException e) {
                return;
            }
            if (!closed) post(this::tick);
        }
    }

    /** The pool of {@code k}: its program, isolate, size, paused and starting workers, how they are paused, the last problem. */
    Map<String, Object> info(Key k) {
        return call(() -> {
            Lane l = lanes.getOrDefault(k, new Lane());
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("program", Path.of(k.program()).getFileName().toString());
            m.put("isolate", k.isolate());
            m.put("size", sizes.getOrDefault(k.program(), 0));
            m.put("paused", l.ready.size());
            m.put("starting", l.starting);
            m.put("taken", l.taken);
            m.put("started", l.started);
            m.put("paused-by", l.pausing);
            m.put("worker-bytes", l.workerBytes);
            if (!l.lastError.isEmpty()) m.put("last-error", l.lastError);
            return m;
        });
    }

    /** Hands {@code task} to the owner; dropped once the pool is closed. */
    private void post(Runnable task) {
        try {
            owner.execute(task);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closed: nothing is kept any more
        }
    }

    private <T> T call(Callable<T> task) {
        try {
            return owner.submit(task).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // left for the next agent's data-dir cleanup
        }
    }

    private static void closeQuietly(SocketChannel c) {
        if (c == null) return;
        try {
            c.close();
        } catch (IOException ignored) {
            // gone already
        }
    }

    /** Kills every pooled worker and closes the socket. */
    @Override
    public void close() {
        closed = true;
        try {
            call(() -> {
                lanes.values().forEach(l -> l.ready.forEach(b -> b.handle.kill()));
                pending.values().forEach(b -> {
                    if (b.handle != null) b.handle.kill();
                });
                return null;
            });
        } finally {
            owner.shutdown();
            server.close();
        }
    }
}
