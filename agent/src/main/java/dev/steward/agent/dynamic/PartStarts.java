package dev.steward.agent.dynamic;

import dev.steward.agent.isolate.InstanceHandle;
import dev.steward.model.DynamicState;
import dev.steward.model.Parts;
import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The opening's part steps, on the instance's own thread: each part started ({@code start part P}) as soon as every
 * part it needs passed its ping, so parts that need nothing start at once, together; the waits ({@code ping part P},
 * and {@code wait for entrypoint} once the entrypoint is up) run each on a thread of their own, several at the same
 * time, and only this thread changes the instance. A wait that is the only one under way, with no part able to
 * start before it ends, runs on this thread itself (no hand-over on the way). The first wait that fails fails the
 * opening; the others then give up unreported.
 */
final class PartStarts {
    /** A wait that ended: its step, when it began, and why it failed (null: it passed). */
    private record Done(String step, String part, Instant began, String failure) {}

    private final OpenInstance i;
    private final Parts parts;
    /** Every part started so far, for the waits' check that none ended meanwhile. */
    private final Map<String, InstanceHandle> started = new ConcurrentHashMap<>();
    private final LinkedBlockingQueue<Done> done = new LinkedBlockingQueue<>();
    private final AtomicBoolean abandoned = new AtomicBoolean();
    private final Set<String> ready = new HashSet<>();
    private int waiting;
    private boolean entrypointAnswered;

    private PartStarts(OpenInstance i) {
        this.i = i;
        this.parts = i.partsSpec();
    }

    /** Starts every part and waits until all passed their pings and the entrypoint answers; a failure names its step. */
    static void run(OpenInstance i) throws Steps.Failed {
        PartStarts s = new PartStarts(i);
        try {
            s.all();
        } finally {
            s.abandoned.set(true);
        }
    }

    private void all() throws Steps.Failed {
        while (ready.size() < parts.parts().size() || !entrypointAnswered) {
            java.util.List<Runnable> waits = new java.util.ArrayList<>();
            for (Parts.Part p : parts.startOrder()) {
                if (i.handles.containsKey(p.name()) || !ready.containsAll(p.needs())) continue;
                start(p);
                if (p.ping() != null) waits.add(await("ping part " + p.name(), p.name(), () -> Lifecycle.awaitPing(i, p, started, abandoned::get)));
                if (p.name().equals(parts.entrypoint())) {
                    waits.add(await("wait for entrypoint", null, () -> Lifecycle.awaitEntrypoint(i, started, abandoned::get)));
                }
                if (p.ping() == null) up(p.name());
            }
            if (waits.size() == 1 && waiting == 1 && nothingStartable()) {
                waits.get(0).run(); // the only wait, and nothing starts before it ends: no other thread
            } else {
                waits.forEach(w -> Thread.ofVirtual().name("steward-open-wait").start(w));
            }
            if (waiting == 0) { // parts without a ping came up: the next round starts what needs them
                if (nothingStartable()) throw new IllegalStateException("parts that cannot start: needs " + ready); // needs are checked: never
                continue;
            }
            Done d;
            try {
                d = done.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new Steps.Failed("start parts", "interrupted");
            }
            waiting--;
            i.steps.ended(d.step(), d.began(), d.failure());
            if (d.failure() != null) throw new Steps.Failed(d.step(), d.failure());
            if (d.part() == null) entrypointAnswered = true;
            else up(d.part());
        }
        i.parts.put(parts.entrypoint(), DynamicState.RUNNING);
    }

    private void start(Parts.Part p) throws Steps.Failed {
        i.steps.run("start part " + p.name(), () -> {
            InstanceHandle h = i.procs.spawn(p, parts, i.net, i.root());
            i.handles.put(p.name(), h);
            started.put(p.name(), h);
            i.parts.put(p.name(), DynamicState.STARTING);
            i.watch(p.name(), h);
            i.save();
        });
        i.publish("");
    }

    /** Part {@code name} is up (pinged, or started when it has no ping): running, unless it is the entrypoint. */
    private void up(String name) {
        ready.add(name);
        if (!name.equals(parts.entrypoint())) i.parts.put(name, DynamicState.RUNNING);
        i.publish("");
    }

    private boolean nothingStartable() {
        return parts.parts().values().stream().noneMatch(p -> !i.handles.containsKey(p.name()) && ready.containsAll(p.needs()));
    }

    /** A wait to run (here or on a thread of its own) whose end is put in {@link #done}. */
    private Runnable await(String step, String part, Steps.Body body) {
        waiting++;
        Instant began = i.shared.clock().instant();
        return () -> {
            String failure = null;
            try {
                body.run();
            } catch (Exception e) {
                if (e instanceof InterruptedException) Thread.currentThread().interrupt();
                failure = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            }
            done.add(new Done(step, part, began, failure));
        };
    }
}
