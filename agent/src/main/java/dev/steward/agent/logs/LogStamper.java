package dev.steward.agent.logs;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Copies what instances write into their logs, each line after the time it was copied ({@link Stamp}).
 * An instance writes to a file of its own ({@link #raw}), never to a pipe, so it outlives the agent;
 * this one thread follows those files (inotify through a {@link java.nio.file.WatchService}, and a look
 * at every file each few seconds in case an event was lost) and appends whole lines to the logs. How
 * far each file was copied is kept beside it ({@code .pos}), so that an agent started again carries on
 * where the last one stopped; what an instance wrote while no agent ran is stamped when it is copied.
 * The calls only post to the thread's inbox: a service's runner may make them.
 */
public final class LogStamper implements AutoCloseable {
    static final long SWEEP_NANOS = TimeUnit.SECONDS.toNanos(3);
    private final Clock clock;
    private final LinkedBlockingQueue<Runnable> inbox = new LinkedBlockingQueue<>();
    private final Map<Path, Copier> copiers = new HashMap<>();
    private final Watches watches;
    private final Thread thread;
    private volatile boolean open = true;

    public LogStamper(Clock clock) {
        this.clock = clock;
        this.watches = new Watches();
        this.thread = Thread.ofVirtual().name("steward-log-stamper").start(this::loop);
    }

    /** Where an instance whose log is {@code log} writes: {@code ID.out} beside {@code ID.log}. */
    public static Path raw(Path log) {
        String n = log.getFileName().toString();
        return log.resolveSibling((n.endsWith(".log") ? n.substring(0, n.length() - 4) : n) + ".out");
    }

    /** Starts copying {@code raw} into {@code log}, from where it was copied last (a spawned or an adopted instance). */
    public void follow(Path raw, Path log) {
        inbox.add(() -> copiers.computeIfAbsent(raw, r -> {
            watches.watch(r.getParent());
            return new Copier(r, log, clock);
        }).copy(false));
    }

    /** Copies what is left of {@code raw} (a last line without its newline too) and stops following it; with {@code delete}, the file goes. */
    public void finish(Path raw, boolean delete) {
        inbox.add(() -> {
            Copier c = copiers.remove(raw);
            if (c != null) c.copy(true);
            if (delete) Copier.delete(raw);
        });
    }

    /** Waits until what was posted before this call is done (tests, and the agent's close). */
    public void sync() throws InterruptedException {
        var done = new java.util.concurrent.CountDownLatch(1);
        inbox.add(done::countDown);
        if (!done.await(30, TimeUnit.SECONDS)) throw new IllegalStateException("the log stamper did not answer within 30 s");
    }

    private void loop() {
        long swept = System.nanoTime();
        while (open) {
            try {
                for (Path changed : watches.changed(100)) {
                    Copier c = copiers.get(changed);
                    if (c != null) c.copy(false);
                }
                for (Runnable r; (r = inbox.poll()) != null; ) r.run();
                if (System.nanoTime() - swept > SWEEP_NANOS) {
                    swept = System.nanoTime();
                    for (Copier c : copiers.values()) {
                        watches.watch(c.raw().getParent()); // a directory that was not there at the follow
                        c.copy(false);
                    }
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                System.err.println("steward: log stamping: " + e);
            }
        }
    }

    @Override
    public void close() {
        try {
            var last = new java.util.concurrent.CountDownLatch(1);
            inbox.add(() -> {
                for (Copier c : copiers.values()) {
                    c.copy(false);
                    c.save();
                }
                open = false;
                last.countDown();
            });
            last.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            open = false;
            thread.interrupt();
            watches.close();
        }
    }

    /** Drops what could not be closed: the stamper is going anyway. */
    static void quietly(IOException e, Path p) {
        System.err.println("steward: log stamping: " + p + ": " + e.getMessage());
    }
}
