package dev.steward.worker.fn;

import dev.steward.worker.Worker;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Steward's generic java worker: loads the functions the agent names into this process, each in a
 * class loader of its own over its {@code classes/}, its jars and {@code lib/*.jar}, and serves the
 * main one ({@code STEWARD_FUNCTION}); each event names it and its place in its workflow
 * ({@link Invocation}). Same-worker calls run in process, other-worker ones through the agent's call
 * socket ({@link Calls}); same-worker callees of another runtime in its process beside this one ({@link Sides}).
 * Started beside a python or node worker ({@code STEWARD_SIDE_STDIO}), it serves that
 * worker's same-worker calls of java callees ({@link SideServer}). Started by the warm pool, it first warms itself up ({@link Warmup}) and then waits to be
 * given its function ({@link PoolHandOver}); started with {@code --warmup}, it only warms up (the agent's training
 * run for the class cache). Started cold for its function, it warms up once its first call is answered, in the
 * background ({@link AfterFirstCall}), so that its later calls, thawed from a pause most often, run compiled code.
 */
public final class FunctionRunner {
    /** How deep calls may nest before one is refused (runaway recursion). */
    static final int MAX_DEPTH = 32;
    /** How many calls the warm-up makes (a pooled worker's, and the training run's). */
    static final int WARMUP_CALLS = 200;
    /**
     * How many calls a worker started cold makes after its first call (its later calls, thawed from a pause, then find
     * their path compiled: with 200 the JIT still compiled during them).
     */
    static final int AFTER_FIRST_CALL_WARMUP = 1000;
    private final FunctionTable table;
    private final Calls calls;
    private final Sides sides;
    private final Map<String, String> env;
    private final Map<String, Function> loaded = new ConcurrentHashMap<>();
    private final AtomicLong scratches = new AtomicLong();

    FunctionRunner(FunctionTable table, Calls calls, Map<String, String> env) {
        this(table, calls, Sides.parse("", env), env);
    }

    FunctionRunner(FunctionTable table, Calls calls, Sides sides, Map<String, String> env) {
        this.table = table;
        this.calls = calls;
        this.sides = sides;
        this.env = Map.copyOf(env);
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> started = System.getenv(); // read first, so that the training run loads what reading it takes too
        if (args.length == 1 && args[0].equals("--warmup")) { // the agent's training run for the workers' class cache
            Warmup.run(WARMUP_CALLS);
            return;
        }
        if (started.get("STEWARD_SIDE_STDIO") != null) { // beside a python or node worker, for its same-worker java callees
            side(started);
            return;
        }
        String pool = started.get("STEWARD_POOL");
        boolean pooled = pool != null && !pool.isEmpty();
        if (pooled) warm(); // pre-warmed while it waits in the pool, not once its call came
        else Prestart.begin(); // cold: what the first call needs, set up beside the function's loading
        Optional<Map<String, String>> given = PoolHandOver.await(started);
        if (given.isEmpty()) return; // a pooled worker let go unused
        Map<String, String> env = given.get();
        String main = env.get("STEWARD_FUNCTION");
        if (main == null) throw new IllegalArgumentException("STEWARD_FUNCTION is required");
        FunctionRunner runner = new FunctionRunner(FunctionTable.parse(env.getOrDefault("STEWARD_FUNCTIONS", "")),
                new Calls(env.get("STEWARD_CALLS")), Sides.parse(env.getOrDefault("STEWARD_SIDES", ""), env), env);
        runner.load(main); // warm before the first invocation: a handler that cannot load fails the worker's start
        AfterFirstCall warmUp = new AfterFirstCall(pooled ? 0 : AfterFirstCall.calls(env.get("STEWARD_JAVA_WARMUP")));
        try {
            Worker.from(args, env).callsOnReader().otherwise((req, res) -> {
                res.end(runner.invoke(Invocation.of(req.event(), main), req.readAll()));
                warmUp.answered();
            }).run();
        } finally {
            warmUp.stop();
        }
    }

    /**
     * A worker started cold warms up once its first call is answered (not before: the first call waits for nothing
     * of it), on a thread of its own, {@link #AFTER_FIRST_CALL_WARMUP} calls unless {@code STEWARD_JAVA_WARMUP} (in the function's
     * {@code env}) says how many (0: none); it stops early, after the call under way, when the worker stops. The agent
     * pauses a worker only once it is quiet, so the warm-up is done before the worker is first frozen.
     */
    static final class AfterFirstCall {
        private final int calls;
        private final java.util.concurrent.atomic.AtomicBoolean begun;
        private volatile boolean stopping;
        private volatile Thread thread;

        AfterFirstCall(int calls) {
            this.calls = calls;
            begun = new java.util.concurrent.atomic.AtomicBoolean(calls <= 0);
        }

        /** How many calls {@code STEWARD_JAVA_WARMUP} asks for: {@link #AFTER_FIRST_CALL_WARMUP} when unset; a value that is not a count of 0 or more is refused. */
        static int calls(String given) {
            if (given == null || given.isBlank()) return AFTER_FIRST_CALL_WARMUP;
            try {
                int n = Integer.parseInt(given.strip());
                if (n >= 0) return n;
            } catch (NumberFormatException e) {
                // said below
            }
            throw new IllegalArgumentException("STEWARD_JAVA_WARMUP must be a count of calls (0 or more), not '" + given + "'");
        }

        void answered() {
            if (!begun.compareAndSet(false, true)) return;
            thread = Thread.ofPlatform().daemon().name("steward-warmup-after-first-call").start(() -> {
                long t0 = System.nanoTime();
                try {
                    Warmup.run(calls, () -> stopping);
                    if (!stopping) System.err.println("steward: the java worker warmed up after its first call (" + calls + " calls in "
                            + (System.nanoTime() - t0) / 1_000_000 + " ms)");
                } catch (Exception e) {
                    System.err.println("steward: the java worker's warm-up failed (it goes on without): " + e);
                }
            });
        }

        /** Whether its thread is at work. */
        boolean running() {
            Thread t = thread;
            return t != null && t.isAlive();
        }

        /** Ends the warm-up under way, waiting for its call in progress (its directory removed). */
        void stop() throws InterruptedException {
            stopping = true;
            Thread t = thread;
            if (t != null) t.join(java.time.Duration.ofSeconds(5));
        }
    }

    /** Serves the same-worker calls of the worker beside which it runs: on stdin, replies on stdout (a handler's prints go to stderr). */
    private static void side(Map<String, String> env) throws IOException {
        FunctionRunner runner = new FunctionRunner(FunctionTable.parse(env.getOrDefault("STEWARD_FUNCTIONS", "")), new Calls(env.get("STEWARD_CALLS")), env);
        java.io.OutputStream replies = new java.io.FileOutputStream(java.io.FileDescriptor.out);
        System.setOut(System.err);
        new SideServer(runner, replies).serve(new java.io.FileInputStream(java.io.FileDescriptor.in));
    }

    /** A pooled worker's warm-up, said in its log: a failure leaves it as it was (cold). */
    private static void warm() {
        long t0 = System.nanoTime();
        try {
            Warmup.run(WARMUP_CALLS);
            System.err.println("steward: the java worker warmed up (" + WARMUP_CALLS + " calls in " + (System.nanoTime() - t0) / 1_000_000 + " ms)");
        } catch (Exception e) {
            System.err.println("steward: the java worker's warm-up failed (it goes on without): " + e);
        }
    }

    byte[] invoke(Invocation f, byte[] data) throws Exception {
        byte[] out = load(f.name()).handle(data, stewardFor(f));
        return out == null ? new byte[0] : out;
    }

    private Steward stewardFor(Invocation f) {
        FunctionTable.Entry from = table.entry(f.name());
        return new Steward() {
            @Override
            public Chunks stream(String callee, byte[] data) throws CallException {
                boolean same = from.same().contains(callee);
                if (!same && !from.other().contains(callee)) {
                    throw new CallException("function " + f.name() + " does not declare " + callee + " in calls:", null);
                }
                if (f.depth() + 1 >= MAX_DEPTH) throw new CallException("function " + callee + ": calls nest deeper than " + MAX_DEPTH, null);
                if (!same) return calls.stream(f, callee, data);
                String scratch = f.workflow().isEmpty() ? "" : Path.of(f.workflow(), callee + "." + ProcessHandle.current().pid() + "." + scratches.incrementAndGet()).toString();
                Invocation inv = new Invocation(callee, f.depth() + 1, f.workflow(), scratch, f.token());
                if (sides.beside(callee)) return sides.stream(inv, data); // another runtime's: in its process beside this JVM
                try {
                    return one(FunctionRunner.this.invoke(inv, data));
                } catch (CallException e) {
                    throw e;
                } catch (Exception e) {
                    throw new CallException("function " + callee + " failed: " + e, e);
                }
            }

            @Override
            public Path workflow() throws IOException {
                return made(f.workflow());
            }

            @Override
            public Path scratch() throws IOException {
                return made(f.scratch());
            }

            @Override
            public Map<String, String> environment() {
                return env;
            }
        };
    }

    private static Steward.Chunks one(byte[] reply) {
        return new Steward.Chunks() {
            private boolean given;

            @Override
            public byte[] next() {
                if (given) return null;
                given = true;
                return reply;
            }

            @Override
            public void close() {}
        };
    }

    private static Path made(String dir) throws IOException {
        if (dir.isEmpty()) throw new IOException("this invocation has no workflow directory");
        return Files.createDirectories(Path.of(dir));
    }

    Function load(String name) {
        return loaded.computeIfAbsent(name, n -> {
            FunctionTable.Entry e = table.entry(n);
            try {
                URLClassLoader loader = new URLClassLoader("function-" + n, classPath(e.dir()), FunctionRunner.class.getClassLoader());
                Class<?> c = Class.forName(e.handler(), true, loader);
                if (!Function.class.isAssignableFrom(c)) {
                    throw new IllegalArgumentException("handler " + e.handler() + " does not implement " + Function.class.getName());
                }
                return (Function) c.getDeclaredConstructor().newInstance();
            } catch (ReflectiveOperationException | IOException ex) {
                throw new IllegalArgumentException("function " + n + ": cannot load " + e.handler() + ": " + ex, ex);
            }
        });
    }

    private static URL[] classPath(Path dir) throws IOException {
        List<URL> urls = new ArrayList<>();
        urls.add(url(dir.resolve("classes")));
        for (Path d : List.of(dir, dir.resolve("lib"))) {
            if (!Files.isDirectory(d)) continue;
            try (Stream<Path> s = Files.list(d)) {
                for (Path jar : s.filter(p -> p.toString().endsWith(".jar")).sorted().toList()) urls.add(url(jar));
            }
        }
        return urls.toArray(URL[]::new);
    }

    private static URL url(Path p) throws MalformedURLException {
        return p.toUri().toURL();
    }
}
