package dev.steward.agent.functions;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The java workers' ahead-of-time cache: its name per JDK and build, its training run (a real process standing in for the worker), its stop. */
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
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as(what).isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    @Test
    void noCacheBeforeJdk25AndANewNameForAnotherBuild() throws Exception {
        Path jar = Files.writeString(tmp.resolve("sdk.jar"), "one");
        Path cache = Files.createDirectories(tmp.resolve("cache"));
        assertThat(JavaCache.of(cache, program("true"), "java", 21, jar.toString(), () -> { })).isEmpty();
        Path first = JavaCache.of(cache, program("true"), "java", 25, jar.toString(), () -> { }).orElseThrow().file();
        assertThat(first.getParent()).isEqualTo(cache);
        assertThat(first.getFileName().toString()).startsWith("function-runner-").endsWith(".aot");
        Files.writeString(jar, "a rebuilt jar");
        assertThat(JavaCache.of(cache, program("true"), "java", 25, jar.toString(), () -> { }).orElseThrow().file()).isNotEqualTo(first);
    }

    @Test
    void aTrainingRunMakesTheCacheOnceAndSaysSo() throws Exception {
        Path cache = Files.createDirectories(tmp.resolve("cache"));
        Files.writeString(cache.resolve("function-runner-0000000000000000.aot"), "an older build's");
        AtomicInteger made = new AtomicInteger();
        JavaCache c = JavaCache.of(cache, program("[ \"$1\" = --warmup ] && echo trained > \"$STEWARD_JAVA_AOT_OUT\""), "java", 25,
                tmp.resolve("sdk.jar").toString(), made::incrementAndGet).orElseThrow();
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
        JavaCache c = JavaCache.of(cache, program("echo no JVM here >&2; exit 3"), "java", 25, "sdk.jar", () -> { }).orElseThrow();
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
        JavaCache c = JavaCache.of(cache, program("echo $$ > " + pid + "\nsleep 60\necho late > \"$STEWARD_JAVA_AOT_OUT\""), "java", 25, "sdk.jar", () -> { })
                .orElseThrow();
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
