package dev.steward.worker.fn;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The worker's own warm-up: its folder is gone once its calls begin, so a worker killed while it warms up leaves none. */
class WarmupTest {
    @TempDir Path tmp;

    @Test
    void theWarmUpsFolderIsGoneWhileItsCallsRunAndAfter() throws Exception {
        AtomicInteger asked = new AtomicInteger();
        AtomicInteger seenWithFolder = new AtomicInteger();
        Warmup.run(40, () -> {
            asked.incrementAndGet();
            if (entries(tmp) > 0) seenWithFolder.incrementAndGet();
            return false;
        }, tmp);
        assertThat(asked.get()).as("the calls ran, each asked whether to stop").isGreaterThanOrEqualTo(40);
        assertThat(seenWithFolder.get()).as("calls during which the warm-up's folder was still there").isZero();
        assertThat(entries(tmp)).isZero();
    }

    @Test
    void aWarmUpRemovesTheFoldersThatKilledWarmUpsLeftLongAgoAndNoRecentOne() throws Exception {
        Path stale = Files.createDirectory(tmp.resolve("steward-warmup-1"));
        Files.writeString(stale.resolve("agent.sock"), "");
        Files.setLastModifiedTime(stale, java.nio.file.attribute.FileTime.from(java.time.Instant.now().minus(java.time.Duration.ofHours(1))));
        Path recent = Files.createDirectory(tmp.resolve("steward-warmup-2"));
        Path other = Files.createDirectory(tmp.resolve("someone-else"));
        Files.setLastModifiedTime(other, java.nio.file.attribute.FileTime.from(java.time.Instant.now().minus(java.time.Duration.ofHours(1))));
        Warmup.run(2, () -> false, tmp);
        assertThat(stale).doesNotExist();
        assertThat(recent).as("a warm-up that may be running now").exists();
        assertThat(other).as("not a warm-up's").exists();
    }

    private static long entries(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.count();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
