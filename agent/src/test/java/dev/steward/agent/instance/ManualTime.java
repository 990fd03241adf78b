package dev.steward.agent.instance;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.locks.ReentrantLock;

/** A clock that moves only when told, and the timers that go off by it. */
public final class ManualTime extends Clock implements Timers {
    private record Due(Instant at, long seq, Runnable task) {}

    private final ReentrantLock lock = new ReentrantLock();
    private final PriorityQueue<Due> due = new PriorityQueue<>((a, b) -> a.at.equals(b.at) ? Long.compare(a.seq, b.seq) : a.at.compareTo(b.at));
    private Instant now = Instant.parse("2026-01-01T00:00:00Z");
    private long seq;

    @Override
    public void after(Duration delay, Runnable task) {
        lock.lock();
        try {
            due.add(new Due(now.plus(delay), seq++, task));
        } finally {
            lock.unlock();
        }
    }

    /** Moves the clock on and runs every task that fell due, in order. */
    public void advance(Duration d) {
        List<Runnable> run = new ArrayList<>();
        lock.lock();
        try {
            now = now.plus(d);
            while (!due.isEmpty() && !due.peek().at.isAfter(now)) run.add(due.poll().task);
        } finally {
            lock.unlock();
        }
        run.forEach(Runnable::run);
    }

    @Override
    public Instant instant() {
        lock.lock();
        try {
            return now;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }
}
