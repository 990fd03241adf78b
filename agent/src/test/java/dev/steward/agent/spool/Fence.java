package dev.steward.agent.spool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/**
 * What a hostile archive must not touch: a test directory with a sentinel file outside the spool. An
 * archive is refused well when the error names the problem (and not the spool's path), every file
 * outside the spool is as it was (content, mode, links, time), none appeared, and the spool is empty.
 */
final class Fence {
    static final String SECRET = "sentinel: the archive must neither read nor change this\n";
    final Path base;
    final Path sentinel;
    final Path cache;

    Fence(Path base) throws IOException {
        this.base = base;
        this.sentinel = Files.createDirectories(base.resolve("outside")).resolve("sentinel.txt");
        Files.writeString(sentinel, SECRET);
        // an archive unpacks in cache/.unpacking-N: "../../outside/sentinel.txt" from there is the sentinel
        this.cache = Files.createDirectories(base.resolve("spool"));
    }

    /** Where the sentinel is from the directory an archive is unpacked in. */
    static String climb() {
        return "../../outside/sentinel.txt";
    }

    /** Runs {@code spool}, expecting a refusal whose message holds each of {@code expected}; returns the message. */
    String refused(ThrowingCallable spool, String... expected) {
        Map<String, String> before = snapshot();
        Throwable t = catchThrowable(spool);
        assertThat(t).isInstanceOf(SpoolException.class);
        String m = t.getMessage();
        assertThat(m).contains(expected).doesNotContain(cache.toString()).doesNotContain(".unpacking").doesNotContain("sentinel: the");
        assertThat(m.length()).as(m).isLessThan(500);
        assertThat(snapshot()).as("nothing outside the spool read or changed").isEqualTo(before);
        assertThat(leftInSpool()).as("nothing left in the spool").isEmpty();
        return m;
    }

    java.util.List<Path> leftInSpool() {
        try (Stream<Path> s = Files.list(cache)) {
            return s.toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every path below the base but the spool, with its size, mode, link count, modification time and (small) content. */
    Map<String, String> snapshot() {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(base)) {
            for (Path p : s.filter(p -> !p.startsWith(cache)).toList()) {
                PosixFileAttributes a = Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                Object nlink = Files.getAttribute(p, "unix:nlink", LinkOption.NOFOLLOW_LINKS);
                String content = a.isRegularFile() && a.size() < 4096 ? java.util.HexFormat.of().formatHex(Files.readAllBytes(p)) : "";
                out.put(base.relativize(p).toString(), a.size() + " " + a.permissions() + " " + nlink + " " + a.lastModifiedTime() + " " + content);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }
}
