package dev.steward.agent.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The access log: every line, in each thread's order, written by the log's own thread, never by the one that logs. */
class AccessLogTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-26T09:30:00Z"), ZoneOffset.UTC);

    @TempDir
    Path tmp;

    private static Gateway.Served served(int n) {
        return new Gateway.Served("hello", "127.0.0.1", "GET", "/hello/" + n, "HTTP/1.1", 200, 800_000, 5, "1a2b3c4d");
    }

    @Test
    void aLineInTheCommonFormatWithServiceInstanceAndLatency() throws IOException {
        Path file = tmp.resolve("logs/access.log");
        try (AccessLog log = new AccessLog(file, CLOCK)) {
            log.log(served(1));
            log.log(new Gateway.Served("", "10.0.0.2", "POST", "/x", "HTTP/1.0", 404, 49_999, 0, ""));
            log.flush();
            assertThat(Files.readAllLines(file)).containsExactly(
                    "127.0.0.1 - - [26/Nov/2026:09:30:00 +0000] \"GET /hello/1 HTTP/1.1\" 200 5 hello 1a2b3c4d 0.8ms",
                    "10.0.0.2 - - [26/Nov/2026:09:30:00 +0000] \"POST /x HTTP/1.0\" 404 - - - 0.0ms");
        }
    }

    @Test
    void everyThreadsLinesArriveInTheirOrderThroughSpillsAndFlushes() throws Exception {
        Path file = tmp.resolve("access.log");
        int threads = 3;
        int each = 20_000; // about 90 bytes a line: several spills a thread
        try (AccessLog log = new AccessLog(file, CLOCK)) {
            List<CompletableFuture<Void>> running = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int base = t * 1_000_000;
                running.add(CompletableFuture.runAsync(() -> {
                    for (int i = 0; i < each; i++) log.log(served(base + i));
                }, r -> Thread.ofPlatform().start(r)));
            }
            // flushes from another thread meanwhile, as the agent's timer makes them
            while (!running.stream().allMatch(CompletableFuture::isDone)) log.flush();
            for (CompletableFuture<Void> f : running) f.get(60, TimeUnit.SECONDS);
        } // closing writes what is left
        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(threads * each);
        int[] next = new int[threads];
        for (String line : lines) {
            String path = line.split(" ")[6];
            int n = Integer.parseInt(path.substring("/hello/".length()));
            int t = n / 1_000_000;
            assertThat(n % 1_000_000).as("thread %d's lines in order", t).isEqualTo(next[t]);
            next[t]++;
        }
    }

    /**
     * A file that takes nothing (a pipe nobody reads) does not hold up the thread that logs, for as many spills as
     * may wait; once it is read, every line is there.
     */
    @Test
    void theThreadThatLogsDoesNotWaitForTheFile() throws Exception {
        Path fifo = tmp.resolve("access.fifo");
        Process mk = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        assertThat(mk.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(mk.exitValue()).isZero();
        // opened for reading and writing, the pipe has a reader (so the log's open does not block) that reads nothing yet
        try (RandomAccessFile reader = new RandomAccessFile(fifo.toFile(), "rw")) {
            AccessLog log = new AccessLog(fifo, CLOCK);
            int lines = (AccessLog.SPILL / 90) * (AccessLog.PENDING - 2); // several spills, fewer than may wait
            CompletableFuture<Void> logging = CompletableFuture.runAsync(() -> {
                for (int i = 0; i < lines; i++) log.log(served(i));
            }, r -> Thread.ofPlatform().start(r));
            // the pipe holds 64 KiB: a thread that wrote the file itself would be stuck at the first spill
            logging.get(60, TimeUnit.SECONDS);
            CompletableFuture<Void> closing = CompletableFuture.runAsync(log::close, r -> Thread.ofPlatform().start(r));
            CompletableFuture<String> reading = CompletableFuture.supplyAsync(() -> {
                StringBuilder got = new StringBuilder();
                byte[] chunk = new byte[64 * 1024];
                try {
                    while (countLines(got) < lines) {
                        int n = reader.read(chunk);
                        if (n > 0) got.append(new String(chunk, 0, n, StandardCharsets.ISO_8859_1));
                    }
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                return got.toString();
            }, r -> Thread.ofPlatform().daemon().start(r));
            String got = reading.get(60, TimeUnit.SECONDS); // a line lost would leave the read waiting: a timeout here
            closing.get(60, TimeUnit.SECONDS);
            String[] all = got.split("\n");
            assertThat(all).hasSize(lines);
            assertThat(all[0]).contains("\"GET /hello/0 HTTP/1.1\"");
            assertThat(all[lines - 1]).contains("\"GET /hello/" + (lines - 1) + " HTTP/1.1\"");
        }
    }

    @Test
    void linesLoggedAfterCloseAreDroppedWithoutError() throws IOException {
        Path file = tmp.resolve("access.log");
        AccessLog log = new AccessLog(file, CLOCK);
        log.log(served(1));
        log.close();
        log.close(); // a second close is nothing
        for (int i = 0; i < AccessLog.SPILL / 90 * 2; i++) log.log(served(2)); // spills, with nobody to write them
        log.flush();
        assertThat(Files.readAllLines(file)).hasSize(1);
    }

    private static int countLines(CharSequence s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) if (s.charAt(i) == '\n') n++;
        return n;
    }
}
