package dev.steward.agent.logs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogStamperTest {
    static final Instant T0 = Instant.parse("2026-05-01T10:00:00Z");
    @TempDir Path tmp;
    final AtomicReference<Instant> now = new AtomicReference<>(T0);
    final Clock clock = new Clock() {
        @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }
        @Override public Clock withZone(java.time.ZoneId zone) { return this; }
        @Override public Instant instant() { return now.get(); }
    };
    LogStamper stamper = new LogStamper(clock);

    @AfterEach
    void close() {
        stamper.close();
    }

    Path log() {
        return tmp.resolve("svc/i1.log");
    }

    Path raw() {
        return LogStamper.raw(log());
    }

    void write(String text) throws Exception {
        Files.createDirectories(raw().getParent());
        Files.writeString(raw(), text, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /** Copies what is there now (follow looks at the file again) and waits until it is done. */
    List<String> copied() throws Exception {
        stamper.follow(raw(), log());
        stamper.sync();
        return Files.exists(log()) ? Files.readAllLines(log(), StandardCharsets.UTF_8) : List.of();
    }

    @Test
    void eachWholeLineIsCopiedAfterTheTimeItWasCopied() throws Exception {
        assertThat(LogStamper.raw(Path.of("/d/abc.log"))).isEqualTo(Path.of("/d/abc.out"));
        write("one\ntwo\nthr");
        assertThat(copied()).containsExactly(Stamp.prefix(T0) + "one", Stamp.prefix(T0) + "two");
        now.set(T0.plusMillis(300));
        write("ee\n");
        assertThat(copied()).endsWith(Stamp.prefix(T0.plusMillis(300)) + "three").hasSize(3);
    }

    @Test
    void aLineWithoutItsNewlineGoesAfterASecondOrWhenTheInstanceEnds() throws Exception {
        write("waiting");
        assertThat(copied()).isEmpty();
        now.set(T0.plusSeconds(1));
        assertThat(copied()).containsExactly(Stamp.prefix(T0.plusSeconds(1)) + "waiting");
        write("last words");
        stamper.finish(raw(), false);
        stamper.sync();
        assertThat(Files.readAllLines(log())).endsWith(Stamp.prefix(T0.plusSeconds(1)) + "last words");
        assertThat(raw()).exists();
        stamper.finish(raw(), true);
        stamper.sync();
        assertThat(raw()).doesNotExist();
        assertThat(raw().resolveSibling("i1.out.pos")).doesNotExist();
        assertThat(log()).exists();
    }

    @Test
    void anotherStamperCarriesOnWhereTheLastStoppedAndStampsWhatCameMeanwhile() throws Exception {
        write("before\n");
        assertThat(copied()).hasSize(1);
        stamper.close();
        write("while no agent ran\n");
        now.set(T0.plusSeconds(30));
        stamper = new LogStamper(clock);
        assertThat(copied()).containsExactly(Stamp.prefix(T0) + "before", Stamp.prefix(T0.plusSeconds(30)) + "while no agent ran");
    }

    @Test
    void linesAppearWithoutBeingAskedAsTheInstanceWritesThem() throws Exception {
        stamper.follow(raw(), log()); // the file does not exist yet: nothing to copy, no error
        stamper.sync();
        assertThat(log()).doesNotExist();
        write("hello\n");
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!(Files.exists(log()) && Files.readString(log()).contains("hello"))) {
            assertThat(System.nanoTime()).as("the line copied within 30 s").isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    @Test
    void anOutputFileEmptiedByOthersIsReadFromItsStart() throws Exception {
        write("first line that is long\n");
        assertThat(copied()).hasSize(1);
        Files.writeString(raw(), "new\n"); // shorter than what was copied: it was emptied, then written
        assertThat(copied()).containsExactly(Stamp.prefix(T0) + "first line that is long", Stamp.prefix(T0) + "new");
    }

    @Test
    void aBrokenPositionFileStartsFromTheBeginning() throws Exception {
        write("a\n");
        Files.writeString(raw().resolveSibling("i1.out.pos"), "not a number");
        assertThat(copied()).containsExactly(Stamp.prefix(T0) + "a");
    }

    @Test
    void theDiskSpaceOfWhatWasCopiedIsGivenBackAndWhatComesAfterIsStillCopied() throws Exception {
        String line = "x".repeat(1023) + "\n";
        write(line.repeat(5 * 1024)); // 5 MiB, over the 4 MiB after which space is given back
        assertThat(copied()).hasSize(5 * 1024);
        long length = 5L << 20;
        assertThat(Files.size(raw())).as("the instance appends where it was: the length stays").isEqualTo(length);
        Process du = new ProcessBuilder("du", "-k", raw().toString()).redirectErrorStream(true).start();
        String used = new String(du.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim().split("\\s+")[0];
        assertThat(du.waitFor()).isZero();
        assertThat(Long.parseLong(used)).as("KiB the output file still takes on disk").isLessThan(1024);
        try (var in = Files.newInputStream(raw())) {
            assertThat(in.read()).as("what was copied reads as zeros").isZero();
        }
        write("after\n");
        assertThat(copied()).hasSize(5 * 1024 + 1).last().isEqualTo(Stamp.prefix(T0) + "after");
        assertThat(Files.size(raw())).isEqualTo(length + 6);
    }
}
