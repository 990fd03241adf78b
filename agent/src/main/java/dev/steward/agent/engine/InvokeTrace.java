package dev.steward.agent.engine;

import java.util.ArrayList;
import java.util.List;

/**
 * Where an invocation's time goes: with {@code -Dsteward.trace-invoke=true} (for example through
 * {@code STEWARD_JAVA_OPTS}) each step from its request's arrival to its reply's end is stamped, and at
 * the end the steps are printed on stderr with the microseconds since that arrival and the thread that
 * took each (printed at the end, not as they come: printing costs more than most steps). Meant for one
 * invocation at a time (the steps of concurrent ones mix). Off, each mark costs one field read.
 */
public final class InvokeTrace {
    public static final boolean ON = Boolean.getBoolean("steward.trace-invoke");
    private static final List<Step> steps = new ArrayList<>();

    private record Step(String name, long nanos, String thread) {}

    private InvokeTrace() {}

    /** An invocation's request read now: the steps after it are timed from here. */
    public static void begin(String step) {
        if (!ON) return;
        synchronized (steps) {
            steps.clear();
        }
        mark(step);
    }

    public static void mark(String step) {
        if (!ON) return;
        Step s = new Step(step, System.nanoTime(), Thread.currentThread().getName());
        synchronized (steps) {
            steps.add(s);
        }
    }

    /** The last step: the invocation's steps are printed. */
    public static void end(String step) {
        if (!ON) return;
        mark(step);
        List<Step> all;
        synchronized (steps) {
            all = List.copyOf(steps);
            steps.clear();
        }
        if (all.isEmpty()) return;
        StringBuilder b = new StringBuilder();
        long base = all.get(0).nanos();
        for (Step s : all) {
            b.append(String.format("steward: invoke: %9.1f us  %-36s [%s]%n", (s.nanos() - base) / 1000.0, s.name(), s.thread()));
        }
        System.err.print(b);
    }
}
