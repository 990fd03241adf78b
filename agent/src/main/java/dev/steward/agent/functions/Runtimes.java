package dev.steward.agent.functions;

import dev.steward.agent.apps.AppRecord;
import dev.steward.agent.engine.SdkFiles;
import dev.steward.model.FunctionManifest;
import dev.steward.model.FunctionRuntime;
import dev.steward.model.Profile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The generic worker of each runtime, and how a function's version is made an app of them: the
 * worker program is the runtime's, the same for every function; which functions it loads, and from
 * where, it is told in its environment ({@code STEWARD_FUNCTION}, {@code STEWARD_FUNCTIONS}).
 */
final class Runtimes implements AutoCloseable {
    /** The JVM the agent runs on: its java workers' too. */
    private static final String JAVA = ProcessHandle.current().info().command().orElse("java");
    private final Path python;
    private final Path node;
    private final Path java;
    private final String javaClassPath;
    private final JavaCache javaCache;
    private final Path calls;
    private volatile java.util.function.Consumer<String> javaCacheMade = program -> { };

    private Runtimes(Path python, Path node, Path java, Path cache, Path calls) {
        this.calls = calls;
        this.python = python;
        this.node = node;
        this.java = java;
        this.javaClassPath = List.of(dev.steward.worker.fn.FunctionRunner.class, dev.steward.protocol.Frame.class, org.msgpack.core.MessagePack.class)
                .stream().map(Runtimes::location).distinct().collect(Collectors.joining(":"));
        JavaCache.Kind kind = JavaCache.Kind.of(Runtime.version().feature(), System.getProperty(JavaCache.KIND_PROPERTY));
        this.javaCache = JavaCache.of(cache, worker(FunctionRuntime.JAVA), JAVA, kind, javaClassPath,
                () -> javaCacheMade.accept(worker(FunctionRuntime.JAVA).normalize().toString()));
    }

    /**
     * Installs the workers under {@code lib} (the python one beside the Python worker library in
     * {@code pythonLib}); {@code calls} is the socket their handlers' other-worker calls go to.
     */
    static Runtimes install(Path pythonLib, Path lib, Path cache, Path calls) throws IOException {
        Files.createDirectories(cache); // where the java workers' class cache is written (a JVM does not make its directory)
        return new Runtimes(pythonLib, SdkFiles.install(lib.resolve("node"), "node", SdkFiles.NODE),
                SdkFiles.install(lib.resolve("java"), "java", SdkFiles.JAVA), cache, calls);
    }

    private static String location(Class<?> c) {
        try {
            return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException("where " + c.getName() + " was loaded from: " + e.getMessage(), e);
        }
    }

    /** The worker program of {@code runtime}. */
    Path worker(FunctionRuntime runtime) {
        return switch (runtime) {
            case PYTHON, SHELL -> python.resolve("steward_function_main.py");
            case NODE -> node.resolve("steward_function.js");
            case JAVA -> java.resolve("steward_function_java");
        };
    }

    /**
     * {@code name}'s version {@code v} as an app: its worker, its directory as the working one, its
     * environment with the functions the worker may load ({@code loads}: name to version, {@code name} first).
     */
    AppRecord app(String name, String owner, FunctionVersion v, Map<String, FunctionVersion> loads) {
        FunctionManifest m = v.parsed();
        Map<String, String> env = new HashMap<>(m.env());
        env.put("STEWARD_FUNCTION", name);
        env.put("STEWARD_FUNCTION_VERSION", Integer.toString(v.version()));
        env.put("STEWARD_RUNTIME", m.runtime().wire());
        env.put("STEWARD_FUNCTIONS", table(loads));
        env.put("STEWARD_SIDES", sides(loads));
        env.put("STEWARD_CALLS", calls.toString());
        if (loads.values().stream().anyMatch(l -> l.parsed().runtime() == FunctionRuntime.JAVA)) env.putAll(java()); // its own, or a JVM beside it
        return new AppRecord(name, v.dir(), worker(m.runtime()).toString(), env, v.added(), owner);
    }

    /**
     * What the java worker needs to start, pooled or not: its class path, and its class cache (an ahead-of-time
     * cache on JDK 25 and later, else a class-data archive; mapped once made); on a JDK that warns when msgpack reads
     * arrays through sun.misc.Unsafe (23 and later), the option that lets it without the warning and its stack walk.
     */
    private Map<String, String> java() {
        Map<String, String> env = new HashMap<>();
        env.put("STEWARD_JAVA_CP", javaClassPath);
        env.put(javaCache.kind().use, javaCache.file().toString());
        if (Runtime.version().feature() >= 23) env.put("STEWARD_JAVA_OPTS", "--sun-misc-unsafe-memory-access=allow");
        return env;
    }

    /** Who is told the java worker program (its path) once its class cache is made: the pool, to start its JVMs again with it. */
    void onJavaCacheMade(java.util.function.Consumer<String> then) {
        javaCacheMade = then;
    }

    /** A function of {@code runtime} is there: java's class cache is made now, in the background, unless it is made already. */
    void prepare(FunctionRuntime runtime) {
        if (runtime == FunctionRuntime.JAVA) javaCache.prepare();
    }

    /** Java's class cache: its kind ({@code aot} or {@code cds}), where it is, whether it is made, why it is not, for {@code fn info}. */
    Map<String, Object> javaCache() {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("kind", javaCache.kind().wire());
        m.put("file", javaCache.file().toString());
        m.put("ready", javaCache.ready());
        if (javaCache.lastError() != null) m.put("last-error", javaCache.lastError());
        return m;
    }

    /** Stops java's training run if one is under way. */
    @Override
    public void close() {
        javaCache.close();
    }

    /** What every pooled worker starts with: the Python library on its path, and what a java worker needs. */
    Map<String, String> poolEnvironment(Path pythonLib) {
        Map<String, String> env = new HashMap<>(java());
        env.put("PYTHONPATH", pythonLib.toString());
        env.put("STEWARD_JAVA", JAVA);
        return env;
    }

    /** One line per function: NAME TAB HANDLER TAB SAME-WORKER CALLEES TAB OTHER-WORKER CALLEES TAB DIR (callees by commas). */
    static String table(Map<String, FunctionVersion> loads) {
        StringBuilder out = new StringBuilder();
        loads.forEach((n, v) -> {
            FunctionManifest m = v.parsed();
            out.append(n).append('\t').append(m.handler()).append('\t').append(callees(m, FunctionManifest.CallKind.SAME_WORKER))
                    .append('\t').append(callees(m, FunctionManifest.CallKind.OTHER_WORKER)).append('\t').append(v.dir()).append('\n');
        });
        return out.toString();
    }

    /**
     * One line per function loaded: NAME TAB RUNTIME TAB TIMEOUT-MS TAB PROGRAM, so that a worker runs a
     * same-worker callee of another runtime in that runtime's PROGRAM, started beside itself, within the
     * callee's timeout.
     */
    String sides(Map<String, FunctionVersion> loads) {
        StringBuilder out = new StringBuilder();
        loads.forEach((n, v) -> {
            FunctionManifest m = v.parsed();
            out.append(n).append('\t').append(m.runtime().wire()).append('\t').append(m.timeout().toMillis()).append('\t')
                    .append(worker(m.runtime())).append('\n');
        });
        return out.toString();
    }

    private static String callees(FunctionManifest m, FunctionManifest.CallKind kind) {
        return m.calls().entrySet().stream().filter(e -> e.getValue() == kind).map(Map.Entry::getKey).sorted().collect(Collectors.joining(","));
    }

    /**
     * The engine of one version: at most 4 workers of 16 calls each, a worker more for every 50
     * waiting, the function's queue-limit; workers not paused (keep-warm 0) leave after idle;
     * limits (resources) put them in the sandbox.
     */
    static Profile profile(FunctionManifest m) {
        return new Profile(m.queueLimit(), 4, 16, 50, Duration.ofSeconds(30), m.idle(), Duration.ofSeconds(30),
                Duration.ofSeconds(5), isolate(m), Map.of());
    }

    private static String isolate(FunctionManifest m) {
        return m.resources().equals(dev.steward.model.Resources.NONE) ? "process" : "sandbox";
    }

    /** The warm pool that serves functions like {@code m}: its runtime's worker, in its isolate, with its limits. */
    WarmPool.Key poolKey(FunctionManifest m) {
        return new WarmPool.Key(worker(m.runtime()).normalize().toString(), isolate(m), m.resources());
    }

    /** Each worker program's pool size (python's the larger of python's and shell's). */
    Map<String, Integer> poolSizes(dev.steward.agent.config.FunctionPools pools) {
        Map<String, Integer> out = new HashMap<>();
        pools.sizes().forEach((runtime, n) -> out.merge(worker(runtime).normalize().toString(), n, Math::max));
        return out;
    }
}
