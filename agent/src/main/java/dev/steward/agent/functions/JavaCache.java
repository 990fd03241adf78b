package dev.steward.agent.functions;

import dev.steward.agent.Sha256;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The java workers' class cache, made once per JDK and worker build by a training run of the java worker
 * ({@code --warmup}: its own paths against a stand-in agent) when the first java function is there, in the
 * background, and kept in the agent's cache directory as {@code function-runner-KEY.EXT}, KEY naming the kind, the
 * JDK and the class path's jars (their sizes and times), so a new build or JDK makes a new one (and the older ones
 * are removed). On JDK 25 and later it is an ahead-of-time cache ({@link Kind#AOT}: classes loaded and linked,
 * lambdas and string concatenations resolved); before 25, a class-data archive ({@link Kind#CDS}: the classes
 * parsed, the dynamic archive the training run leaves at its exit). Every java worker started once it is there
 * maps it ({@code STEWARD_JAVA_AOT} or {@code STEWARD_JAVA_CDS}); one started before starts without it.
 */
final class JavaCache implements AutoCloseable {
    /** The system property that picks the kind whatever the JDK ({@code aot} or {@code cds}): how the class-data archive of older JDKs is tested on a newer one. */
    static final String KIND_PROPERTY = "steward.java-cache";

    /** What the training run makes, and what the worker program is told in its environment. */
    enum Kind {
        /** JDK 25 and later: {@code -XX:AOTCacheOutput}, then {@code -XX:AOTCache}. */
        AOT("aot", "STEWARD_JAVA_AOT", "STEWARD_JAVA_AOT_OUT"),
        /** JDK 21 to 24: {@code -XX:ArchiveClassesAtExit}, then {@code -XX:SharedArchiveFile}. */
        CDS("jsa", "STEWARD_JAVA_CDS", "STEWARD_JAVA_CDS_OUT");

        final String extension;
        /** The variable naming the cache a worker maps. */
        final String use;
        /** The variable naming where the training run writes it. */
        final String make;

        Kind(String extension, String use, String make) {
            this.extension = extension;
            this.use = use;
            this.make = make;
        }

        /** The wire name: {@code aot} or {@code cds}. */
        String wire() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        /**
         * The kind for a JDK of {@code feature}, unless {@code forced} ({@code steward.java-cache}: {@code aot} or
         * {@code cds}) names one; an ahead-of-time cache asked of a JDK before 25, or another word, is refused.
         */
        static Kind of(int feature, String forced) {
            if (forced == null || forced.isBlank()) return feature >= 25 ? AOT : CDS;
            return switch (forced.strip()) {
                case "cds" -> CDS;
                case "aot" -> {
                    if (feature < 25) throw new IllegalArgumentException(KIND_PROPERTY + "=aot needs JDK 25 or later; this is JDK " + feature);
                    yield AOT;
                }
                default -> throw new IllegalArgumentException(KIND_PROPERTY + " must be aot or cds, not '" + forced.strip() + "'");
            };
        }
    }

    /** The longest a training run may take (it is killed past this, and no cache is made). */
    static final Duration TRAINING_LIMIT = Duration.ofMinutes(5);
    private final Kind kind;
    private final Path file;
    private final Path program;
    private final Map<String, String> env;
    private Thread training; // guarded by this
    private Process process; // guarded by this
    private boolean closed; // guarded by this
    private volatile String lastError;
    private volatile boolean trained;
    private final Runnable made;

    private JavaCache(Kind kind, Path file, Path program, Map<String, String> env, Runnable made) {
        this.kind = kind;
        this.made = made;
        this.file = file;
        this.program = program;
        this.env = env;
    }

    /**
     * The cache of {@code kind} of the java worker {@code program} run by {@code java} with {@code classPath}, in
     * {@code dir}; {@code made} is run once a training run has made it.
     */
    static JavaCache of(Path dir, Path program, String java, Kind kind, String classPath, Runnable made) {
        StringBuilder key = new StringBuilder(kind.wire()).append('\n').append(java).append('\n').append(Runtime.version()).append('\n');
        for (String entry : classPath.split(":")) {
            Path p = Path.of(entry);
            key.append(entry).append('\t').append(p.toFile().length()).append('\t').append(p.toFile().lastModified()).append('\n');
        }
        String name = "function-runner-" + Sha256.hex(key.toString()).substring(0, 16) + "." + kind.extension;
        return new JavaCache(kind, dir.resolve(name), program, Map.of("STEWARD_JAVA", java, "STEWARD_JAVA_CP", classPath), made);
    }

    Kind kind() {
        return kind;
    }

    /** Where the cache is (or will be): what the workers are told. */
    Path file() {
        return file;
    }

    /** Made: by a training run of this agent (and the pool told), or by an earlier one. */
    boolean ready() {
        if (trained) return true;
        synchronized (this) {
            return training == null && Files.isRegularFile(file);
        }
    }

    /** Why the last training run made no cache, or null. */
    String lastError() {
        return lastError;
    }

    /** Starts the training run in the background unless the cache is there or being made; a failed one is not tried again. */
    synchronized void prepare() {
        if (closed || training != null || Files.isRegularFile(file)) return;
        training = Thread.ofVirtual().name("steward-java-cache").start(this::train);
    }

    private void train() {
        Path part = file.resolveSibling(file.getFileName() + ".part");
        Path log = file.resolveSibling(file.getFileName() + ".log");
        try {
            removeOthers();
            ProcessBuilder pb = new ProcessBuilder(program.toString(), "--warmup").redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment().putAll(env);
            pb.environment().put(kind.make, part.toString());
            Process p;
            synchronized (this) {
                if (closed) return;
                p = process = pb.start();
            }
            if (!p.waitFor(TRAINING_LIMIT.toSeconds(), TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                throw new IOException("the training run took longer than " + TRAINING_LIMIT.toMinutes() + " minutes");
            }
            synchronized (this) {
                if (closed) return; // stopped with the agent: nothing is made from it
            }
            if (p.exitValue() != 0 || !Files.isRegularFile(part)) {
                throw new IOException("the training run exited with status " + p.exitValue() + " and made no cache (see " + log + ")");
            }
            Files.move(part, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            made.run();
            trained = true;
        } catch (IOException e) {
            lastError = e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            try {
                Files.deleteIfExists(part);
            } catch (IOException e) {
                // a part left behind is removed with the next training
            }
        }
    }

    /** The caches of other JDKs, builds or kinds, and parts a stopped agent left. */
    private void removeOthers() throws IOException {
        try (Stream<Path> s = Files.list(file.getParent())) {
            for (Path p : s.toList()) {
                String n = p.getFileName().toString();
                if (n.startsWith("function-runner-") && !n.startsWith(file.getFileName().toString())) Files.deleteIfExists(p);
            }
        }
    }

    /** Stops a training run under way (the agent is stopping): no cache is made from it. */
    @Override
    public void close() {
        Thread t;
        synchronized (this) {
            closed = true;
            if (process != null) {
                process.descendants().forEach(ProcessHandle::destroyForcibly); // the JVM that assembles the cache at the run's end
                process.destroyForcibly();
            }
            t = training;
        }
        if (t != null) {
            try {
                t.join(Duration.ofSeconds(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
