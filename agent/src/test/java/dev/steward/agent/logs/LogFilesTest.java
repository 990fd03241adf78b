package dev.steward.agent.logs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogFilesTest {
    @TempDir Path tmp;

    @Test
    void tailGivesTheLastLines() throws Exception {
        Path f = tmp.resolve("a.log");
        Files.writeString(f, "one\ntwo\nthree\n");
        assertThat(LogFiles.tail(f, 2)).containsExactly("two", "three");
        assertThat(LogFiles.tail(f, 10)).containsExactly("one", "two", "three");
        assertThat(LogFiles.tail(tmp.resolve("none.log"), 10)).isEmpty();
    }

    @Test
    void rotationKeepsOldCopiesAndTheWriterGoesOnAppending() throws Exception {
        Path f = tmp.resolve("b.log");
        try (var out = Files.newOutputStream(f, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            out.write("x".repeat(100).getBytes());
            out.flush();
            assertThat(LogFiles.rotate(f, 50, 3)).isTrue();
            out.write("after\n".getBytes());
            out.flush();
        }
        assertThat(Files.readString(tmp.resolve("b.log.1"))).hasSize(100);
        assertThat(Files.readString(f)).isEqualTo("after\n");
        assertThat(LogFiles.rotate(f, 50, 3)).isFalse();
    }

    @Test
    void aFollowerSeesAppendsAndStartsOverAfterTruncation() throws Exception {
        Path f = tmp.resolve("c.log");
        Files.writeString(f, "old\n");
        LogFollower follower = new LogFollower(f);
        assertThat(follower.poll()).isEmpty();
        Files.writeString(f, "new\n", StandardOpenOption.APPEND);
        assertThat(new String(follower.poll())).isEqualTo("new\n");
        Files.writeString(f, "");
        Files.writeString(f, "z\n", StandardOpenOption.APPEND);
        assertThat(new String(follower.poll())).isEqualTo("z\n");
    }
}
