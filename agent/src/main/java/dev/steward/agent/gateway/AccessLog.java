package dev.steward.agent.gateway;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The gateway's access log in the common log format, with the service, instance and latency added:
 * {@code 127.0.0.1 - - [26/Nov/2026:09:30:00 +0000] "GET /hello/ HTTP/1.1" 200 5 hello 1a2b3c4d 0.8ms}.
 *
 * <p>Each event loop appends its lines to a buffer of its own; the file is written by one thread of the log's,
 * which alone owns it. A loop whose buffer passes {@link #SPILL} sets the full buffer aside for the writer and
 * goes on with an empty one, so a loop never waits for the file (the encoding and the writes of a quarter of a
 * MiB took 0.8 ms a time, median, when the loops did them), nor for a lock held while the file is written. It
 * waits only when {@link #PENDING} full buffers already wait for the file, as it waited for a slow disk before.
 * A thread's lines reach the file in the order it logged them.
 */
public final class AccessLog implements AutoCloseable {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ROOT);
    /** A thread whose lines grow past this hands them to the writer. */
    static final int SPILL = 256 * 1024;
    /** Full buffers that may wait for the file (of all threads) before a thread that spills waits too. */
    static final int PENDING = 8;
    private final java.time.Clock clock;
    /** One per full buffer waiting for the file: a thread that spills takes one, the writer gives it back once written. */
    private final Semaphore room = new Semaphore(PENDING);
    /** What the writer is asked to do, in order; taken by the writer alone. */
    private final BlockingQueue<Job> jobs = new LinkedBlockingQueue<>();
    private final Thread writer;
    private final AtomicBoolean closed = new AtomicBoolean();

    /** Asks of the writer: write the full buffers, also every thread's lines so far and flush, or that and stop. */
    private sealed interface Job {}

    private record Spilled() implements Job {}

    private record Flush(CountDownLatch done) implements Job {}

    private record Stop(CountDownLatch done) implements Job {}

    /**
     * One thread's lines since they were last handed over, and its full buffers that wait for the file, oldest
     * first. Its lock is held only to append a line or to move buffers, never while the file is written.
     */
    private static final class Lines {
        final ReentrantLock lock = new ReentrantLock();
        StringBuilder text = new StringBuilder(64 * 1024);
        final java.util.ArrayDeque<StringBuilder> full = new java.util.ArrayDeque<>();
        /** A written buffer, emptied, to swap in at the next spill (so that spills allocate nothing); null when none. */
        StringBuilder spare;

        /** Moves the lines so far to the full buffers, an empty buffer in their place. Called with the lock held. */
        void spill() {
            if (text.isEmpty()) return;
            full.add(text);
            text = spare != null ? spare : new StringBuilder(64 * 1024);
            spare = null;
        }
    }

    private final java.util.List<Lines> all = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** The writer's: the lines pass through it on their way to the file (appending a buffer whole made a String of it). */
    private final char[] chunk = new char[16 * 1024];
    private final ThreadLocal<Lines> mine = ThreadLocal.withInitial(() -> {
        Lines l = new Lines();
        all.add(l);
        return l;
    });

    public AccessLog(Path file, java.time.Clock clock) throws IOException {
        Files.createDirectories(file.getParent());
        BufferedWriter out = new BufferedWriter(new OutputStreamWriter(
                Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND), StandardCharsets.UTF_8), 64 * 1024);
        this.clock = clock;
        this.writer = Thread.ofPlatform().daemon().name("steward-access-log").start(() -> {
            // the time's first formatting (java.time's printers and month names made ready) took about 3 ms in a fresh
            // JVM, on the first request's path before its answer went out: done here, at the agent's start, instead
            try {
                now();
            } catch (RuntimeException e) {
                // a warm-up only: the first line formats it (and says what is wrong) all the same
            }
            write(out);
        });
    }

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
        if (spill) spill(l);
    }

    /** Hands a thread's lines to the writer, first waiting while {@link #PENDING} full buffers wait for the file. */
    private void spill(Lines l) {
        boolean written = roomOrDropped();
        l.lock.lock();
        try {
            if (written) l.spill();
            else l.text.setLength(0); // the log is closed: nothing writes these lines, and they must not grow memory
        } finally {
            l.lock.unlock();
        }
        if (written) jobs.add(new Spilled());
    }

    /** Waits for room for one more full buffer; false once the writer has stopped. */
    private boolean roomOrDropped() {
        try {
            while (writer.isAlive()) {
                if (room.tryAcquire(100, TimeUnit.MILLISECONDS)) return true;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the thread is being stopped: its lines are dropped
        }
        return false;
    }

    /** Writes out every thread's lines, returning once they are in the file; the agent calls it every second. */
    public void flush() {
        CountDownLatch done = new CountDownLatch(1);
        jobs.add(new Flush(done));
        await(done);
    }

    /** Waits for the writer to count {@code done} down, or to have stopped. */
    private void await(CountDownLatch done) {
        try {
            while (!done.await(100, TimeUnit.MILLISECONDS)) {
                if (!writer.isAlive()) return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The writer's loop: the file is its alone. */
    private void write(BufferedWriter out) {
        while (true) {
            Job job;
            try {
                job = jobs.take();
            } catch (InterruptedException e) {
                continue; // the writer stops at a Stop only, after the lines before it are written
            }
            boolean everything = !(job instanceof Spilled);
            for (Lines l : all) writeOut(out, l, everything);
            switch (job) {
                case Spilled sp -> { }
                case Flush f -> {
                    flushQuietly(out);
                    f.done().countDown();
                }
                case Stop st -> {
                    try {
                        out.close();
                    } catch (IOException ignored) {
                        // closing anyway
                    }
                    st.done().countDown();
                    return;
                }
            }
        }
    }

    /** Writes a thread's full buffers, oldest first, and with {@code everything} its lines so far after them. */
    private void writeOut(BufferedWriter out, Lines l, boolean everything) {
        java.util.List<StringBuilder> texts;
        int spilled;
        l.lock.lock();
        try {
            spilled = l.full.size();
            texts = new java.util.ArrayList<>(l.full);
            l.full.clear();
            if (everything && !l.text.isEmpty()) { // after the full buffers, as they are older
                texts.add(l.text);
                l.text = l.spare != null ? l.spare : new StringBuilder(64 * 1024);
                l.spare = null;
            }
        } finally {
            l.lock.unlock();
        }
        if (texts.isEmpty()) return;
        for (StringBuilder text : texts) {
            try {
                for (int at = 0; at < text.length(); at += chunk.length) { // through the chunk: no String copy of the buffer
                    int n = Math.min(chunk.length, text.length() - at);
                    text.getChars(at, at + n, chunk, 0);
                    out.write(chunk, 0, n);
                }
            } catch (IOException e) {
                // a full disk must not fail requests, nor grow memory: these lines are dropped
            }
        }
        StringBuilder last = texts.getLast();
        last.setLength(0);
        l.lock.lock();
        try {
            if (l.spare == null) l.spare = last;
        } finally {
            l.lock.unlock();
        }
        room.release(spilled);
    }

    private static void flushQuietly(BufferedWriter out) {
        try {
            out.flush();
        } catch (IOException ignored) {
            // a full disk must not stop the agent
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

    /** Writes out what every thread has, then closes the file; lines logged after it are not written. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        CountDownLatch done = new CountDownLatch(1);
        jobs.add(new Stop(done));
        await(done);
    }
}
