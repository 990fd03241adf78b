package dev.steward.agent.health;

import java.time.Duration;
import java.util.function.Consumer;

/**
 * Pings one instance on a virtual thread: quickly (from 2 ms, doubling to 10 ms) until it is ready,
 * so that readiness is seen at once, then every {@code interval}. Each result goes to {@code out};
 * the owner tells the loop when the instance is ready or paused, and cancels it. The loop holds no
 * lock and reads only its own flags.
 */
public final class PingLoop {
    static final Duration FIRST = Duration.ofMillis(2);
    /** Until ready, pings come at least this often, so readiness is seen within about this much. */
    static final Duration STARTING_CAP = Duration.ofMillis(10);
    private final Check check;
    private final Duration interval;
    private final Consumer<PingResult> out;
    private volatile boolean ready;
    private volatile boolean paused;
    private volatile boolean over;
    private Thread thread;

    /** One check against the instance (the pinger, its target and timeout already bound). */
    public interface Check {
        PingResult run();
    }

    private PingLoop(Check check, Duration interval, boolean ready, Consumer<PingResult> out) {
        this.check = check;
        this.interval = interval;
        this.ready = ready;
        this.out = out;
    }

    public static PingLoop start(String name, Check check, Duration interval, boolean ready, Consumer<PingResult> out) {
        PingLoop loop = new PingLoop(check, interval, ready, out);
        loop.thread = Thread.ofVirtual().name("ping-" + name).start(loop::run);
        return loop;
    }

    public void ready(boolean r) {
        ready = r;
    }

    public void paused(boolean p) {
        paused = p;
    }

    public void cancel() {
        over = true;
        thread.interrupt();
    }

    /** The wait before the next ping: fast (doubling, capped) until ready, then the interval. Pure. */
    static Duration next(Duration fast, boolean ready, Duration interval) {
        if (ready) return interval;
        Duration starting = fast.compareTo(STARTING_CAP) < 0 ? fast : STARTING_CAP;
        return starting.compareTo(interval) < 0 ? starting : interval;
    }

    /** The fast wait after {@code fast}: doubled, never past the cap (it once overflowed a Duration after ~72 pings). */
    static Duration grow(Duration fast) {
        return fast.compareTo(STARTING_CAP) >= 0 ? STARTING_CAP : fast.multipliedBy(2);
    }

    private void run() {
        Duration fast = FIRST;
        try {
            while (!over) {
                if (paused) {
                    Thread.sleep(interval);
                    continue;
                }
                PingResult r = check.run();
                if (over) return;
                out.accept(r);
                Thread.sleep(next(fast, ready, interval));
                fast = grow(fast);
            }
        } catch (InterruptedException e) {
            // cancelled
        } catch (RuntimeException e) {
            if (!over) System.err.println("steward: ping loop " + Thread.currentThread().getName() + " ended: " + e);
        }
    }
}
