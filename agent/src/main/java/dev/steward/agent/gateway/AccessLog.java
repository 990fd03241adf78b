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
        StringBuilder b = LINE.get();
        b.setLength(0);
        b.append(s.client()).append(" - - [").append(now()).append("] \"").append(s.method()).append(' ').append(s.uri()).append(' ')
                .append(s.protocol()).append("\" ").append(s.status()).append(' ');
        if (s.bytes() > 0) b.append(s.bytes());
        else b.append('-');
        b.append(' ').append(s.service().isEmpty() ? "-" : s.service()).append(' ').append(s.instance().isEmpty() ? "-" : s.instance())
                .append(' ');
        long tenths = (s.nanos() + 50_000) / 100_000;
        b.append(tenths / 10).append('.').append(tenths % 10).append("ms\n");
        int n = b.length();
        char[] chars = CHARS.get();
        if (chars.length < n) {
            chars = new char[Math.max(n, chars.length * 2)];
            CHARS.set(chars);
        }
        b.getChars(0, n, chars, 0);
        lock.lock();
        try {
            out.write(chars, 0, n);
        } catch (IOException e) {
            // a full disk must not fail requests
        } finally {
            lock.unlock();
        }
    }

    /** One line's builder per thread (the gateway's event loops), reused. */
    private static final ThreadLocal<StringBuilder> LINE = ThreadLocal.withInitial(() -> new StringBuilder(256));
    private static final ThreadLocal<char[]> CHARS = ThreadLocal.withInitial(() -> new char[512]);

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
