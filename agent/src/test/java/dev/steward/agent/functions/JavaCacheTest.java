package dev.steward.agent.functions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The java workers' class cache: its kind per JDK, its name per JDK and build, its training run (a real process
 * standing in for the worker), its stop; and the class-data archive of JDKs before 25 made, used and replaced by the
 * real worker on this JDK.
 */
class JavaCacheTest {
    @TempDir Path tmp;

    /** A stand-in for the java worker program: runs {@code body} with the training run's environment. */
    Path program(String body) throws Exception {
        Path p = tmp.resolve("worker-" + body.hashCode() + ".sh");
        Files.writeString(p, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        return p;
    }

    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        await(condition, what, Duration.ofSeconds(30));
    }

    static void await(BooleanSupplier condition, String what, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as(what).isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    @Test
    void anAheadOfTimeCacheFromJdk25AClassDataArchiveBeforeAndANewNameForAnotherBuild() throws Exception {
        assertThat(JavaCache.Kind.of(21, null)).isEqualTo(JavaCache.Kind.CDS);
        assertThat(JavaCache.Kind.of(24, "")).isEqualTo(JavaCache.Kind.CDS);
        assertThat(JavaCache.Kind.of(25, null)).isEqualTo(JavaCache.Kind.AOT);
        assertThat(JavaCache.Kind.of(25, "cds")).as("forced, as the tests of the older JDKs' path do").isEqualTo(JavaCache.Kind.CDS);
        assertThatThrownBy(() -> JavaCache.Kind.of(21, "aot")).hasMessage("steward.java-cache=aot needs JDK 25 or later; this is JDK 21");
        assertThatThrownBy(() -> JavaCache.Kind.of(25, "jit")).hasMessage("steward.java-cache must be aot or cds, not 'jit'");

        Path jar = Files.writeString(tmp.resolve("sdk.jar"), "one");
        Path cache = Files.createDirectories(tmp.resolve("cache"));
        Path archive = JavaCache.of(cache, program("true"), "java", JavaCache.Kind.CDS, jar.toString(), () -> { }).file();
        assertThat(archive.getFileName().toString()).startsWith("function-runner-").endsWith(".jsa");
        Path first = JavaCache.of(cache, program("true"), "java", JavaCache.Kind.AOT, jar.toString(), () -> { }).file();
        assertThat(first.getParent()).isEqualTo(cache);
        assertThat(first.getFileName().toString()).startsWith("function-runner-").endsWith(".aot");
        Files.writeString(jar, "a rebuilt jar");
        assertThat(JavaCache.of(cache, program("true"), "java", JavaCache.Kind.AOT, jar.toString(), () -> { }).file()).isNotEqualTo(first);
        assertThat(JavaCache.of(cache, program("true"), "java", JavaCache.Kind.CDS, jar.toString(), () -> { }).file()).isNotEqualTo(archive);
    }

    /**
     * The path of JDKs before 25, on this one: the real java worker's training run leaves a class-data archive; a
     * worker started with it loads its classes from it (with {@code -Xshare:on}, a JVM that cannot map it fails);
     * after a rebuild of a jar the archive no longer matches, a new one is made under another name and the old one
     * is removed.
     */
    @Test
    void theClassDataArchiveIsMadeByTheWorkersTrainingRunUsedAndReplacedAfterARebuild() throws Exception {
        Path program = dev.steward.agent.engine.SdkFiles.install(tmp.resolve("lib"), "java", dev.steward.agent.engine.SdkFiles.JAVA)
                .resolve("steward_function_java");
        List<Path> jars = jars(tmp.resolve("jars"));
        String cp = jars.stream().map(Path::toString).collect(Collectors.joining(":"));
        Path cache = Files.createDirectories(tmp.resolve("cache"));
        JavaCache first = JavaCache.of(cache, program, JAVA, JavaCache.Kind.CDS, cp, () -> { });
        first.prepare();
        await(() -> first.ready() || first.lastError() != null, "the training run ends", JavaCache.TRAINING_LIMIT);
        assertThat(first.lastError()).isNull();
        assertThat(first.file()).isRegularFile();
        assertThat(classSource(program, cp, first.file())).as("the worker's classes come from the archive").contains("shared objects file");

        // a rebuilt jar: the archive made from the old one no longer matches it
        Path sdk = jars.get(0);
        Files.setLastModifiedTime(sdk, java.nio.file.attribute.FileTime.fromMillis(Files.getLastModifiedTime(sdk).toMillis() + 60_000));
        JavaCache second = JavaCache.of(cache, program, JAVA, JavaCache.Kind.CDS, cp, () -> { });
        assertThat(second.file()).isNotEqualTo(first.file());
        assertThat(second.ready()).isFalse();
        second.prepare();
        await(() -> second.ready() || second.lastError() != null, "the second training run ends", JavaCache.TRAINING_LIMIT);
        assertThat(second.lastError()).isNull();
        assertThat(first.file()).as("the older build's archive is removed").doesNotExist();
        assertThat(classSource(program, cp, second.file())).contains("shared objects file");
    }

    /** The JVM the tests run on. */
    static final String JAVA = ProcessHandle.current().info().command().orElse("java");

    /** Copies of the java worker's jars (its SDK first, then the protocol and msgpack), a directory of classes made a jar: an archive takes jars only. */
    static List<Path> jars(Path dir) throws Exception {
        Files.createDirectories(dir);
        List<Path> out = new java.util.ArrayList<>();
        for (Class<?> c : List.of(dev.steward.worker.fn.FunctionRunner.class, dev.steward.protocol.Frame.class, org.msgpack.core.MessagePack.class)) {
            Path from = Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path to = dir.resolve(out.size() + "-" + from.getFileName() + (Files.isDirectory(from) ? ".jar" : ""));
            if (Files.isDirectory(from)) jar(from, to);
            else Files.copy(from, to);
            out.add(to);
        }
        return out;
    }

    private static void jar(Path classes, Path jar) throws Exception {
        try (var out = new java.util.zip.ZipOutputStream(Files.newOutputStream(jar)); var files = Files.walk(classes)) {
            for (Path p : files.filter(Files::isRegularFile).sorted().toList()) {
                out.putNextEntry(new java.util.zip.ZipEntry(classes.relativize(p).toString().replace('\\', '/')));
                out.write(Files.readAllBytes(p));
                out.closeEntry();
            }
        }
    }

    /** Where the worker's runner class was loaded from, run once ({@code --warmup}) with {@code archive} and -Xshare:on. */
    static String classSource(Path program, String cp, Path archive) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(program.toString(), "--warmup").redirectErrorStream(true);
        pb.environment().putAll(java.util.Map.of("STEWARD_JAVA", JAVA, "STEWARD_JAVA_CP", cp, "STEWARD_JAVA_CDS", archive.toString(),
                "STEWARD_JAVA_OPTS", "-Xshare:on -Xlog:class+load=info:stdout" + (Runtime.version().feature() >= 23 ? " --sun-misc-unsafe-memory-access=allow" : "")));
        pb.environment().keySet().removeIf(k -> k.startsWith("STEWARD_JAVA_AOT") || k.equals("STEWARD_JAVA_CDS_OUT"));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)).as("the worker's run ends").isTrue();
        assertThat(p.exitValue()).as(out.length() > 4000 ? out.substring(out.length() - 4000) : out).isZero();
        return out.lines().filter(l -> l.contains(" dev.steward.worker.fn.FunctionRunner ")).findFirst().orElse("(not loaded: " + out.length() + " bytes of log)");
    }

    @Test
    void aTrainingRunMakesTheCacheOnceAndSaysSo() throws Exception {
        Path cache = Files.createDirectories(tmp.resolve("cache"));
        Files.writeString(cache.resolve("function-runner-0000000000000000.aot"), "an older build's");
        AtomicInteger made = new AtomicInteger();
        JavaCache c = JavaCache.of(cache, program("[ \"$1\" = --warmup ] && echo trained > \"$STEWARD_JAVA_AOT_OUT\""), "java", JavaCache.Kind.AOT,
                tmp.resolve("sdk.jar").toString(), made::incrementAndGet);
        assertThat(c.ready()).isFalse();
        c.prepare();
        await(c::ready, "the cache is made");
        assertThat(Files.readString(c.file())).isEqualTo("trained\n");
        assertThat(made.get()).as("the pool is told once").isEqualTo(1);
        assertThat(c.lastError()).isNull();
        try (var files = Files.list(cache)) {
            assertThat(files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".aot")))
                    .as("the older build's cache is removed; no part is left").containsExactly(c.file().getFileName().toString());
        }
        c.prepare(); // made already: nothing runs again
        assertThat(made.get()).isEqualTo(1);
    }

    @Test
    void aFailedTrainingRunMakesNoCacheAndNamesWhy() throws Exception {
        Path cache = Files.createDirectories(tmp.resolve("cache"));
        JavaCache c = JavaCache.of(cache, program("echo no JVM here >&2; exit 3"), "java", JavaCache.Kind.AOT, "sdk.jar", () -> { });
        c.prepare();
        await(() -> c.lastError() != null, "the training run's failure is said");
        assertThat(c.lastError()).contains("status 3").contains(".log");
        assertThat(c.ready()).isFalse();
        assertThat(c.file()).doesNotExist();
    }

    @Test
    void aTrainingRunUnderWayIsStoppedWithTheAgent() throws Exception {
        Path cache = Files.createDirectories(tmp.resolve("cache"));
        Path pid = tmp.resolve("pid");
        JavaCache c = JavaCache.of(cache, program("echo $$ > " + pid + "\nsleep 60\necho late > \"$STEWARD_JAVA_AOT_OUT\""), "java", JavaCache.Kind.AOT, "sdk.jar", () -> { });
        c.prepare();
        await(() -> Files.isRegularFile(pid) && !readQuietly(pid).isBlank(), "the training run started");
        long training = Long.parseLong(readQuietly(pid).trim());
        c.close();
        await(() -> ProcessHandle.of(training).map(p -> !p.isAlive()).orElse(true), "the training run is stopped");
        assertThat(c.ready()).isFalse();
        assertThat(c.file()).doesNotExist();
        c.prepare(); // closed: no training starts again
        assertThat(c.ready()).isFalse();
    }

    static String readQuietly(Path p) {
        try {
            return Files.readString(p);
        } catch (java.io.IOException e) {
            return "";
        }
    }
}
