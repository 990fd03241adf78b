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

    /**
     * One thread's lines since the last flush. Each event loop appends to its own (its lock is never
     * contended but by the flush), so logging costs no lock shared between loops.
     */
    private static final class Lines {
        final ReentrantLock lock = new ReentrantLock();
        final StringBuilder text = new StringBuilder(64 * 1024);
    }

    private final java.util.List<Lines> all = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final ThreadLocal<Lines> mine = ThreadLocal.withInitial(() -> {
        Lines l = new Lines();
        all.add(l);
        return l;
    });
    /** A thread whose lines grow past this writes them out itself. */
    private static final int SPILL = 256 * 1024;

    public void log(Gateway.Served s) {
        Lines l = mine.get();
        boolean spill;
        l.lock.lock();
        try {
            StringBuilder b = l.text;
            b.append(s.client()).append(" - - [").append(now()).append("] \"").append(s.method()).append(' ').append(s.uri()).append(' ')
                    .append(s.protocol()).append("\" ").append(s.status()).append(' ');
            if (s.bytes() > 0) b.append(s.bytes());
            else b.append('-');
            b.append(' ').append(s.service().isEmpty() ? "-" : s.service()).append(' ').append(s.instance().isEmpty() ? "-" : s.instance())
                    .append(' ');
            long tenths = (s.nanos() + 50_000) / 100_000;
            b.append(tenths / 10).append('.').append(tenths % 10).append("ms\n");
            spill = b.length() > SPILL;
        } finally {
            l.lock.unlock();
        }
        if (spill) flush();
    }

    /** Writes out every thread's lines; the agent calls it every second. */
    public void flush() {
        lock.lock();
        try {
            for (Lines l : all) {
                l.lock.lock();
                try {
                    if (l.text.isEmpty()) continue;
                    out.append(l.text);
                    l.text.setLength(0);
                } catch (IOException e) {
                    l.text.setLength(0); // a full disk must not fail requests, nor grow memory
                } finally {
                    l.lock.unlock();
                }
            }
            out.flush();
        } catch (IOException ignored) {
            // a full disk must not stop the agent
        } finally {
            lock.unlock();
        }
    }

    private record Stamp(long second, String text) {}

    private volatile Stamp stamp = new Stamp(Long.MIN_VALUE, "");

    /** The time in the log's format, formatted once a second. */
    private String now() {
        long second = Math.floorDiv(clock.millis(), 1000);
        Stamp s = stamp;
        if (s.second() != second) {
            s = new Stamp(second, ZonedDateTime.ofInstant(java.time.Instant.ofEpochSecond(second), clock.getZone()).format(TIME));
            stamp = s;
        }
        return s.text();
    }

    @Override
    public void close() {
        flush();
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
