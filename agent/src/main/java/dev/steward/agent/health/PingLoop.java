package dev.steward.agent.health;

import java.time.Duration;
import java.util.function.Consumer;

/**
 * Pings one instance on a virtual thread: quickly until it is ready (every millisecond for its first
 * 100 ms, when most programs that start on demand come up, then doubling to every 10 ms), so that
 * readiness is seen at once, then every {@code interval}. While starting, the wait after a check is also
 * at least {@link #SPARE} times what the check took (the check alone, not what the owner then does with its
 * result): the pings of a starting instance use at most about
 * a fifth of a CPU beside the program they wait for (a check takes tens of microseconds once compiled,
 * but 0.3-0.5 ms in a fresh agent, and more on a busy machine). A ping of a port where nothing listens yet
 * is a refused connect: microseconds; the quick phase is kept short all the same, so that a slow
 * program, or a thousand instances started at once, costs at most a hundred of them each. Each result
 * goes to {@code out}, except a starting instance's failure that says what the last one told said, within
 * {@link #RETELL} of it (see {@link #tells}): the owner wakes for what changes something, not for each
 * refused connect of a program still starting;
 * the owner tells the loop when the instance is ready or paused, and cancels it. The loop holds no
 * lock and reads only its own flags.
 */
public final class PingLoop {
    static final Duration FIRST = Duration.ofMillis(1);
    /** For this long after the loop starts, a starting instance is pinged every {@link #FIRST}. */
    static final Duration QUICK = Duration.ofMillis(100);
    /** Until ready, pings come at least this often, so readiness is seen within about this much. */
    static final Duration STARTING_CAP = Duration.ofMillis(10);
    /** While starting, the wait after a check is at least this many times what the check took ({@code -Dsteward.ping.spare=0}: not). */
    static final int SPARE = Integer.getInteger("steward.ping.spare", 4);
    /** A starting instance's failure that says nothing new is told at most this often (its last ping shown this fresh). */
    static final Duration RETELL = Duration.ofMillis(100);
    private final Check check;
    private final Duration interval;
    private final Consumer<PingResult> out;
    private volatile boolean ready;
    private volatile boolean paused;
    private volatile boolean over;
    private Thread thread;
    /** Pings made while not ready (for {@link dev.steward.agent.ColdTrace}). */
    private int pinged;

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
        return next(fast, ready, interval, Duration.ZERO);
    }

    /**
     * The wait before the next ping after a check that took {@code spent}: until ready, fast (doubling, capped), or
     * {@link #SPARE} times {@code spent} when that is longer (never past the cap); once ready, the interval. Pure.
     */
    static Duration next(Duration fast, boolean ready, Duration interval, Duration spent) {
        if (ready) return interval;
        Duration starting = fast.compareTo(STARTING_CAP) < 0 ? fast : STARTING_CAP;
        Duration spare = spent.multipliedBy(SPARE);
        if (spare.compareTo(starting) > 0) starting = spare.compareTo(STARTING_CAP) < 0 ? spare : STARTING_CAP;
        return starting.compareTo(interval) < 0 ? starting : interval;
    }

    /** The fast wait after {@code fast}: doubled, never past the cap (it once overflowed a Duration after ~72 pings). */
    static Duration grow(Duration fast) {
        return fast.compareTo(STARTING_CAP) >= 0 ? STARTING_CAP : fast.multipliedBy(2);
    }

    /** The fast wait after {@code fast}, {@code pinging} into the loop: unchanged within {@link #QUICK}, then {@link #grow}n. Pure. */
    static Duration grow(Duration fast, Duration pinging) {
        return pinging.compareTo(QUICK) < 0 ? fast : grow(fast);
    }

    /**
     * Whether a result goes to the owner: every pass, every result once ready, and a starting instance's failure
     * when it is the first, says something else than the last result told ({@code lastTold}, null for none), or
     * comes {@link #RETELL} or more after it. Before its first pass a failure changes nothing but the counts
     * ({@link PingPolicy}); each result is in the metrics all the same (the check records it). Pure.
     */
    static boolean tells(PingResult r, boolean ready, String lastTold, long sinceToldNanos) {
        return r.passed() || ready || lastTold == null || !lastTold.equals(r.message()) || sinceToldNanos >= RETELL.toNanos();
    }

    private void run() {
        Duration fast = FIRST;
        long began = System.nanoTime();
        String lastTold = null;
        long told = began;
        try {
            while (!over) {
                if (paused) {
                    Thread.sleep(interval);
                    continue;
                }
                long checked = System.nanoTime();
                PingResult r = check.run();
                // the check's own time: what the owner then does with the result (a fresh agent's first took
                // milliseconds, and made the loop wait the cap before its second ping) is not the ping's cost
                Duration spent = Duration.ofNanos(System.nanoTime() - checked);
                if (over) return;
                if (dev.steward.agent.ColdTrace.ON && !ready) {
                    pinged++;
                    if (r.passed()) dev.steward.agent.ColdTrace.mark("ping passed, ping " + pinged + " (" + r.message() + ")");
                }
                long now = System.nanoTime();
                if (tells(r, ready, lastTold, now - told)) {
                    lastTold = r.message();
                    told = now;
                    out.accept(r);
                }
                Thread.sleep(next(fast, ready, interval, spent));
                fast = grow(fast, Duration.ofNanos(System.nanoTime() - began));
            }
        } catch (InterruptedException e) {
            // cancelled
        } catch (RuntimeException e) {
            if (!over) System.err.println("steward: ping loop " + Thread.currentThread().getName() + " ended: " + e);
        }
    }
}
