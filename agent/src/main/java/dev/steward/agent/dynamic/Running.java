package dev.steward.agent.dynamic;

import dev.steward.agent.isolate.InstanceHandle;
import dev.steward.model.DynamicState;
import dev.steward.model.Parts;
import dev.steward.model.Ping;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What happens to an open instance while it runs, on its own thread: checkpoints of its state every
 * {@code paths.state-save}, the idle probe (closing it, state saved, once idle for {@code idle.timeout}), a part's
 * failure (the state saved at once), and inputs pushed again (the parts that ask for it started again).
 */
final class Running {
    private Running() {}

    /** The checkpoint and the idle probe, each when due. */
    static void upkeep(OpenInstance i) {
        if (i.fixed != null) return;
        var now = i.shared.clock().instant();
        Parts p = i.partsSpec();
        if (i.nextCheckpoint != null && !now.isBefore(i.nextCheckpoint)) {
            i.steps.attempt("checkpoint state", () -> saveState(i));
            i.nextCheckpoint = i.shared.clock().instant().plus(p.paths().stateSave());
        }
        if (i.nextIdleProbe != null && !now.isBefore(i.nextIdleProbe) && i.state() == DynamicState.RUNNING) {
            i.nextIdleProbe = null;
            Long idle = idleSeconds(i, p.idle());
            if (idle != null && idle >= p.idle().timeout().toSeconds()) {
                Lifecycle.close(i, true, "closed: idle for " + idle + "s (idle.timeout " + p.idle().timeout().toSeconds() + "s)");
                return;
            }
            i.nextIdleProbe = i.fixed == null ? i.shared.clock().instant().plus(p.idle().interval()) : null;
        }
        i.rescheduled();
    }

    /** Saves the state folders in place of the last save (a no-op without state); a failure throws. */
    static void saveState(OpenInstance i) throws IOException {
        Parts.DataPaths p = i.partsSpec().paths();
        if (p.state().isEmpty() || !i.stateInPlace) return;
        DataFolders.save(i.root(), p.state(), p.stateExclude(), i.shared.savedState(i.spec.name(), i.owner));
    }

    /**
     * A part ended while the instance runs: its state is saved now, and the part is started again after its back-off
     * ({@code restart.delay}, doubling with each recent end up to {@code max-delay}), the instance {@code starting}
     * meanwhile; once it ended {@code failures-limit} times within {@code window}, or when the instance failed already,
     * the instance is failed with the reason instead.
     */
    static void partEnded(OpenInstance i, String part, String why) {
        Parts.Part p = i.partsSpec().parts().get(part);
        i.handles.remove(part);
        if (p == null || i.state() == DynamicState.FAILED) {
            partFailed(i, part, why);
            return;
        }
        dev.steward.model.RestartPolicy r = p.restart();
        java.time.Instant now = i.shared.clock().instant();
        java.util.ArrayDeque<java.time.Instant> recent = i.failures.computeIfAbsent(part, k -> new java.util.ArrayDeque<>());
        recent.addLast(now);
        while (recent.peekFirst().isBefore(now.minus(r.window()))) recent.removeFirst();
        String within = recent.size() + " of " + r.failuresLimit() + " within " + dev.steward.model.Durations.format(r.window());
        if (recent.size() >= r.failuresLimit()) {
            partFailed(i, part, why + " (" + within + ": not started again)");
            return;
        }
        Duration delay = backoff(r, recent.size());
        i.restartDue.put(part, now.plus(delay)); // recorded, so a restarted agent starts it again when due
        i.parts.put(part, DynamicState.STARTING);
        i.publish(why + "; started again in " + dev.steward.model.Durations.format(delay) + " (" + within + ")");
        if (!i.partsSpec().paths().state().isEmpty()) i.steps.attempt("save state", () -> saveState(i));
        i.save();
        i.later(delay, () -> restartEnded(i, p));
    }

    /** The wait before the {@code n}th start again within the window: {@code delay} doubled each time, at most {@code max-delay}. */
    static Duration backoff(dev.steward.model.RestartPolicy r, int n) {
        long ms = r.delay().toMillis();
        for (int k = 1; k < n && ms < r.maxDelay().toMillis(); k++) ms *= 2;
        return Duration.ofMillis(Math.min(ms, r.maxDelay().toMillis()));
    }

    /** Starts an ended part again, pings it (and awaits the entrypoint when it is that); a failure counts as one more end. */
    static void restartEnded(OpenInstance i, Parts.Part p) {
        if (i.restartDue.remove(p.name()) == null) return; // started again already
        if (i.fixed != null || i.handles.containsKey(p.name()) || i.parts.get(p.name()) != DynamicState.STARTING) return; // closed or failed meanwhile
        try {
            startAgain(i, p, null);
        } catch (Steps.Failed f) {
            InstanceHandle h = i.handles.remove(p.name()); // its end is no second failure
            if (h != null) i.procs.stop(h);
            partEnded(i, p.name(), f.getMessage());
            return;
        }
        i.restarts.merge(p.name(), 1, Integer::sum);
        i.parts.put(p.name(), DynamicState.RUNNING);
        i.publish("part " + p.name() + " started again");
    }

    /** A part ended or could not start again: the instance is failed (its lowest state) and its state saved now. */
    static void partFailed(OpenInstance i, String part, String why) {
        i.restartDue.remove(part);
        i.parts.put(part, DynamicState.FAILED);
        i.publish(why);
        if (!i.partsSpec().paths().state().isEmpty()) i.steps.attempt("save state", () -> saveState(i));
    }

    /**
     * How long the probe says the instance has been idle, in seconds; null when it gave no answer (then it is not
     * closed, and a failed {@code probe idle} step says why, once until it answers or fails otherwise). A probe that
     * answers is no event: it runs often.
     */
    private static Long idleSeconds(OpenInstance i, Parts.Idle idle) {
        try {
            String answer = switch (idle.check()) {
                case Ping.Check.Http h -> Probe.get(i.net.address(), i.partsSpec().port(), h.path(), Duration.ofSeconds(5));
                // in the entrypoint's container when it is a container part, else in the instance's namespace and folder
                case Ping.Check.Exec e -> i.procs.exec(i.partsSpec().parts().get(i.partsSpec().entrypoint()), e.command(), i.net, i.root(),
                        Duration.ofSeconds(30));
                case Ping.Check.Tcp t -> throw new IOException("a tcp check says nothing of idleness");
            };
            long seconds = seconds(answer);
            i.probeFailure = null;
            return seconds;
        } catch (IOException | IllegalArgumentException e) {
            if (!java.util.Objects.equals(e.getMessage(), i.probeFailure)) i.steps.failed("probe idle", e.getMessage()); // once per new failure
            i.probeFailure = e.getMessage();
            return null;
        }
    }

    /** The seconds inactive in a probe's answer: a number, or JSON with {@code seconds_inactive} (oSPARC's shape). */
    static long seconds(String answer) {
        String a = answer == null ? "" : answer.strip();
        var m = java.util.regex.Pattern.compile("^\\{\\s*\"seconds_inactive\"\\s*:\\s*(\\d+(?:\\.\\d+)?)\\s*}$").matcher(a);
        String n = m.matches() ? m.group(1) : a;
        if (!n.matches("\\d+(\\.\\d+)?")) {
            throw new IllegalArgumentException("the idle probe answered '" + (a.length() > 80 ? a.substring(0, 80) + "..." : a)
                    + "' (expected: the seconds inactive, as a number or {\"seconds_inactive\": N})");
        }
        return (long) Double.parseDouble(n);
    }

    /**
     * New inputs in place of the old (copied whole beside them, then swapped in), then each part that asks for it
     * started again in needs order, pinged, and the entrypoint awaited. A part that does not come back fails the
     * instance as a part's exit does.
     */
    static void pushInputs(OpenInstance i, Path dir) throws Steps.Failed {
        Parts parts = i.partsSpec();
        i.steps.run("push inputs", () -> {
            Path in = i.root().resolve(parts.paths().inputs());
            Path fresh = in.resolveSibling(in.getFileName() + ".pushing");
            DataFolders.delete(fresh);
            DataFolders.copy(dir, fresh, List.of());
            DataFolders.delete(in);
            Files.move(fresh, in, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        });
        for (Parts.Part p : parts.startOrder()) {
            if (!p.restartOnInputs()) continue;
            try {
                restart(i, p);
            } catch (Steps.Failed f) {
                partFailed(i, p.name(), f.getMessage());
                throw f;
            }
        }
    }

    private static void restart(OpenInstance i, Parts.Part p) throws Steps.Failed {
        InstanceHandle old = i.handles.remove(p.name()); // its end is no failure now
        i.parts.put(p.name(), DynamicState.STARTING);
        i.publish("restarting part " + p.name() + " on new inputs");
        startAgain(i, p, old);
        i.parts.put(p.name(), DynamicState.RUNNING);
        i.publish("new inputs");
    }

    /**
     * The step {@code restart part P} ({@code old}, when given, stopped first), then its ping, and the entrypoint's
     * readiness when it is that part.
     */
    private static void startAgain(OpenInstance i, Parts.Part p, InstanceHandle old) throws Steps.Failed {
        i.steps.run("restart part " + p.name(), () -> {
            if (old != null) i.procs.stop(old);
            InstanceHandle h = i.procs.spawn(p, i.partsSpec(), i.net, i.root());
            i.handles.put(p.name(), h);
            i.watch(p.name(), h);
            i.save();
        });
        if (p.ping() != null) i.steps.run("ping part " + p.name(), () -> Lifecycle.awaitPing(i, p));
        if (p.name().equals(i.partsSpec().entrypoint())) i.steps.run("wait for entrypoint", () -> Lifecycle.awaitEntrypoint(i));
    }
}
