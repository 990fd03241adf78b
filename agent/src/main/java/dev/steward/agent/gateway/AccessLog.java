package dev.steward.agent.gateway;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The gateway's access log in the common log format, with the service, instance and latency added:
 * {@code 127.0.0.1 - - [26/Nov/2026:09:30:00 +0000] "GET /hello/ HTTP/1.1" 200 5 hello 1a2b3c4d 0.8ms}.
 */
public final class AccessLog implements AutoCloseable {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ROOT);
    private final BufferedWriter out;
    private final ReentrantLock lock = new ReentrantLock();
    private final java.time.Clock clock;

    public AccessLog(Path file, java.time.Clock clock) throws IOException {
        Files.createDirectories(file.getParent());
        this.out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        this.clock = clock;
    }

    public void log(Gateway.Served s) {
        String line = s.client() + " - - [" + now() + "] \"" + s.method() + " " + s.uri() + " " + s.protocol() + "\" " + s.status() + " "
                + (s.bytes() > 0 ? Long.toString(s.bytes()) : "-") + " " + (s.service().isEmpty() ? "-" : s.service()) + " "
                + (s.instance().isEmpty() ? "-" : s.instance()) + " " + millis(s.nanos()) + "ms\n";
        lock.lock();
        try {
            out.write(line);
        } catch (IOException e) {
            // a full disk must not fail requests
        } finally {
            lock.unlock();
        }
    }

    /** Milliseconds with one decimal, without the cost of a format string. */
    static String millis(long nanos) {
        long tenths = (nanos + 50_000) / 100_000;
        return (tenths / 10) + "." + (tenths % 10);
    }

    private record Stamp(long second, String text) {}

    private volatile Stamp stamp = new Stamp(Long.MIN_VALUE, "");

    /** The time in the log's format, formatted once a second. */
    private String now() {
        java.time.Instant t = clock.instant();
        Stamp s = stamp;
        if (s.second() != t.getEpochSecond()) {
            s = new Stamp(t.getEpochSecond(), ZonedDateTime.ofInstant(t, clock.getZone()).format(TIME));
            stamp = s;
        }
        return s.text();
    }

    /** Writes out what is buffered; the agent calls it every second. */
    public void flush() {
        lock.lock();
        try {
            out.flush();
        } catch (IOException ignored) {
            // a full disk must not stop the agent
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            out.close();
        } catch (IOException ignored) {
            // closing anyway
        } finally {
            lock.unlock();
        }
    }
}
