package dev.steward.agent.dynamic;

import dev.steward.agent.isolate.InstanceHandle;
import dev.steward.model.DynamicState;
import dev.steward.model.Parts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * The named steps of an instance's life, run on its own thread. Opening: pull each container part's image, create
 * namespace, restore state, copy inputs, then the parts started and pinged, each once the parts it needs passed their
 * pings, and the entrypoint's HTTP readiness ({@link PartStarts}), then route. Closing:
 * stop routing, save state, push outputs, stop parts, remove. A failed opening step takes the instance to
 * {@code failed} and removes everything it made (parts, namespace, folder, record).
 */
final class Lifecycle {
    private Lifecycle() {}

    /** Opens {@code i}; {@code spare}: a namespace made ahead for its UUID (null: the open makes its own). */
    static void open(OpenInstance i, Path inputs, Spares.Spare spare) {
        Parts parts = i.partsSpec();
        i.spare = spare;
        try {
            opening(i, parts, inputs);
        } catch (Steps.Failed f) {
            fail(i, f.getMessage());
        } finally {
            i.inputsTaken.complete(null);
        }
    }

    private static void opening(OpenInstance i, Parts parts, Path inputs) throws Steps.Failed {
        // the container parts' images first: nothing starts before all are there, so every part is pulling meanwhile
        List<Parts.Part> images = parts.startOrder().stream().filter(Parts.Part::container).toList();
        if (!images.isEmpty()) {
            i.parts.replaceAll((p, s) -> DynamicState.PULLING);
            i.publish("");
            for (Parts.Part p : images) i.steps.run("pull image " + p.image() + " for part " + p.name(), () -> i.procs.pull(p));
            i.parts.replaceAll((p, s) -> DynamicState.PENDING);
        }
        i.steps.run("create namespace", () -> {
            Spares.Spare made = i.spare;
            i.spare = null; // a failure below removes it
            i.net = made != null ? i.shared.netns().take(made.net(), i.uuid) : i.shared.netns().create(i.uuid);
            i.isolate = i.procs.isolateType();
            Files.createDirectories(i.root());
            i.save();
        });
        i.publish("");
        i.steps.run("restore state", () -> {
            if (!parts.paths().state().isEmpty()) DataFolders.restore(i.shared.savedState(i.spec.name(), i.owner), i.root(), parts.paths().state());
            for (String s : parts.paths().state()) Files.createDirectories(i.root().resolve(s));
            i.stateInPlace = true;
        });
        i.steps.run("copy inputs", () -> {
            if (inputs != null && parts.paths().inputs() == null) throw new IOException("inputs were given but the spec has no paths.inputs");
            if (parts.paths().inputs() != null) Files.createDirectories(i.root().resolve(parts.paths().inputs()));
            if (parts.paths().outputs() != null) Files.createDirectories(i.root().resolve(parts.paths().outputs()));
            if (inputs != null) DataFolders.copy(inputs, i.root().resolve(parts.paths().inputs()), List.of());
        });
        i.inputsTaken.complete(null);
        PartStarts.run(i);
        i.steps.run("route", () -> i.routed = true);
        i.publish("");
        i.schedule();
    }

    /**
     * Takes the instance to failed with {@code why} and removes all it made, its state saved first when it was in
     * place (a failed part loses no state that could be saved); the save and the removal are steps too.
     */
    static void fail(OpenInstance i, String why) {
        i.routed = false;
        i.fixed = DynamicState.FAILED;
        i.schedule();
        i.publish(why);
        String unsaved = i.stateInPlace && !i.partsSpec().paths().state().isEmpty() ? i.steps.attempt("save state", () -> Running.saveState(i)) : null;
        String left = i.steps.attempt("remove", () -> teardown(i, unsaved != null));
        if (unsaved != null || left != null) i.publish(why + "; " + String.join("; ", java.util.stream.Stream.of(unsaved, left).filter(java.util.Objects::nonNull).toList()));
    }

    /**
     * Waits for {@code p}'s ping to pass. A {@code tcp} or {@code http} ping is asked from one thread that entered the
     * namespace once: while nothing listens on the part's port, again within milliseconds ({@link Probe#pollMillis});
     * once something does, every {@code ping.interval} (200 ms at most). An {@code exec} ping, every interval.
     */
    static void awaitPing(OpenInstance i, Parts.Part p) throws IOException, InterruptedException {
        awaitPing(i, p, Map.copyOf(i.handles), () -> false);
    }

    /**
     * {@link #awaitPing(OpenInstance, Parts.Part)} off the instance's thread: {@code running} the parts started (it fails
     * when one ended), {@code abandoned} true once the opening failed elsewhere (it then returns, its end unreported).
     */
    static void awaitPing(OpenInstance i, Parts.Part p, Map<String, InstanceHandle> running, BooleanSupplier abandoned)
            throws IOException, InterruptedException {
        Instant started = i.shared.clock().instant();
        Instant deadline = started.plus(i.shared.readyWithin());
        Duration every = Duration.ofMillis(Math.min(200, p.ping().interval().toMillis()));
        String why;
        if (p.ping().check() instanceof dev.steward.model.Ping.Check.Exec) {
            why = null;
            while (i.shared.clock().instant().isBefore(deadline)) {
                if (abandoned.getAsBoolean()) return;
                ended(running);
                why = i.procs.ping(p, i.net, i.root());
                if (why == null) return;
                Thread.sleep(every.toMillis());
            }
        } else {
            why = Inside.call(i.net.path(), () -> {
                String last = "not asked";
                for (Instant now = started; now.isBefore(deadline); now = i.shared.clock().instant()) {
                    if (abandoned.getAsBoolean()) return null;
                    ended(running);
                    if (!Probe.listening("127.0.0.1", p.port())) {
                        last = "nothing listens on its port " + p.port();
                        Thread.sleep(Probe.pollMillis(Duration.between(started, now)));
                        continue;
                    }
                    last = i.procs.pingHere(p);
                    if (last == null) return null;
                    Thread.sleep(every.toMillis());
                }
                return last;
            });
            if (why == null) return;
        }
        throw new IOException("not ready within " + i.shared.readyWithin().toSeconds() + "s: " + why);
    }

    /**
     * Any status from {@code GET /} at the namespace's address, as the gateway will reach it; asked again within
     * milliseconds while nothing listens ({@link Probe#pollMillis}), every 5 ms once something does but gives no answer.
     */
    static void awaitEntrypoint(OpenInstance i) throws IOException, InterruptedException {
        awaitEntrypoint(i, Map.copyOf(i.handles), () -> false);
    }

    /** {@link #awaitEntrypoint(OpenInstance)} off the instance's thread, as {@link #awaitPing(OpenInstance, Parts.Part, Map, BooleanSupplier)}. */
    static void awaitEntrypoint(OpenInstance i, Map<String, InstanceHandle> running, BooleanSupplier abandoned) throws IOException, InterruptedException {
        Instant started = i.shared.clock().instant();
        Instant deadline = started.plus(i.shared.readyWithin());
        String why = null;
        for (Instant now = started; now.isBefore(deadline); now = i.shared.clock().instant()) {
            if (abandoned.getAsBoolean()) return;
            ended(running);
            if (!Probe.listening(i.net.address(), i.partsSpec().port())) {
                why = "nothing listens";
                Thread.sleep(Probe.pollMillis(Duration.between(started, now)));
                continue;
            }
            StringBuilder b = new StringBuilder();
            if (Probe.http(i.net.address(), i.partsSpec().port(), "/", Duration.ofSeconds(2), b) > 0) return;
            why = b.toString();
            Thread.sleep(5);
        }
        throw new IOException(i.partsSpec().entrypoint() + ":" + i.partsSpec().port() + " answered no HTTP within "
                + i.shared.readyWithin().toSeconds() + "s (it must listen on 0.0.0.0 or " + i.net.address() + "): " + why);
    }

    /** Fails when a part already ended. */
    private static void ended(Map<String, InstanceHandle> running) throws IOException {
        for (var e : running.entrySet()) {
            if (e.getValue().exit().isDone()) throw new IOException("part " + e.getKey() + " exited: " + e.getValue().exit().join().describe());
        }
    }

    /**
     * Stops the parts (last started first, then any the spec no longer names), removes the namespace, the folder and
     * the record; with {@code keepFolder} (its state could not be saved) the folder stays, and the failure says where.
     */
    static void teardown(OpenInstance i, boolean keepFolder) throws IOException {
        stopAll(i);
        if (i.net != null) i.shared.netns().remove(i.net.name(), i.net.veth());
        if (i.spare != null) { // made ahead for it, but the open failed before it was taken
            Spares.Spare s = i.spare;
            i.spare = null;
            i.shared.netns().remove(s.net().name(), s.net().veth());
        }
        i.shared.store().delete(OpenRecord.PREFIX + i.uuid);
        if (keepFolder) throw new IOException("the state was not saved: its folder " + i.root() + " is kept");
        i.stateInPlace = false;
        DataFolders.delete(i.root());
    }

    private static void stopAll(OpenInstance i) {
        java.util.LinkedHashSet<String> order = new java.util.LinkedHashSet<>(reversed(i.partNamesInOrder()));
        order.addAll(i.handles.keySet());
        for (String p : order) {
            InstanceHandle h = i.handles.get(p);
            if (h != null) i.procs.stop(h);
            if (i.parts.containsKey(p) && i.fixed != DynamicState.FAILED) i.parts.put(p, DynamicState.COMPLETE);
        }
    }

    /** Closes: each step runs even when one before failed (its failure is in the reason); the instance ends complete. */
    static void close(OpenInstance i, boolean saveState, String why) {
        if (i.fixed == DynamicState.COMPLETE) return; // closed already (idle)
        Parts parts = i.partsSpec();
        boolean wasFailed = i.fixed == DynamicState.FAILED;
        i.fixed = DynamicState.STOPPING;
        i.schedule();
        boolean[] unsaved = {false};
        List<String> failures = new ArrayList<>();
        add(failures, i.steps.attempt("stop routing", () -> i.routed = false));
        i.publish("closing");
        if (!wasFailed) {
            if (saveState && !parts.paths().state().isEmpty()) {
                String f = i.steps.attempt("save state", () -> Running.saveState(i));
                unsaved[0] = f != null;
                add(failures, f);
            }
            if (parts.paths().outputs() != null) {
                add(failures, i.steps.attempt("push outputs", () -> {
                    Path from = i.root().resolve(parts.paths().outputs());
                    if (Files.isDirectory(from)) DataFolders.copy(from, i.shared.outputs(i.spec.name(), i.uuid), List.of());
                }));
            }
        }
        add(failures, i.steps.attempt("stop parts", () -> stopAll(i)));
        add(failures, i.steps.attempt("remove", () -> teardown(i, unsaved[0])));
        i.fixed = failures.isEmpty() ? DynamicState.COMPLETE : DynamicState.FAILED;
        i.publish(failures.isEmpty() ? why : String.join("; ", failures));
    }

    private static void add(List<String> failures, String failure) {
        if (failure != null) failures.add(failure);
    }

    private static List<String> reversed(List<String> l) {
        List<String> r = new ArrayList<>(l);
        java.util.Collections.reverse(r);
        return r;
    }

    /** After an agent restart: every part found running again in its namespace, or the instance fails and is removed. */
    static void adopt(OpenInstance i, OpenRecord r) {
        i.net = r.netns() == null ? null : new Netns.Net(r.netns(), r.veth(), r.address());
        i.isolate = r.isolate();
        i.opened = r.opened();
        // every recorded part is taken back, also one the spec no longer names, so a failure below stops it too
        r.parts().forEach((p, proc) -> {
            String type = proc.isolate() != null ? proc.isolate() : r.isolate();
            Optional<InstanceHandle> h = type == null ? Optional.empty() : i.procs.adopt(type, p, proc);
            h.ifPresent(handle -> {
                i.handles.put(p, handle);
                if (i.parts.containsKey(p)) i.parts.put(p, DynamicState.RUNNING);
                i.watch(p, handle);
            });
        });
        // a part that waited out its back-off when the agent went: started again when due, its ends within its window kept
        r.waiting().forEach((p, w) -> {
            if (i.handles.containsKey(p) || !i.parts.containsKey(p)) return;
            i.parts.put(p, DynamicState.STARTING);
            i.failures.put(p, new java.util.ArrayDeque<>(w.ends().stream().map(Instant::parse).toList()));
            i.restartDue.put(p, Instant.parse(w.due()));
        });
        i.stateInPlace = Files.isDirectory(i.root()); // so a failure below saves it before anything is removed
        List<String> missing = new ArrayList<>(i.partNamesInOrder().stream().filter(p -> !i.handles.containsKey(p) && !i.restartDue.containsKey(p)).toList());
        i.handles.keySet().stream().filter(p -> !i.parts.containsKey(p)).forEach(p -> missing.add("(its spec changed: no part " + p + " now)"));
        if (i.net == null || !i.shared.netns().exists(i.net.name())) missing.add("its network namespace");
        if (!missing.isEmpty()) {
            fail(i, "picked up after an agent restart without " + String.join(", ", missing));
            return;
        }
        i.routed = true;
        i.publish("picked up after an agent restart" + (i.restartDue.isEmpty() ? ""
                : "; started again when its back-off is over: " + String.join(", ", i.restartDue.keySet())));
        i.schedule();
        Instant now = i.shared.clock().instant();
        for (var e : List.copyOf(i.restartDue.entrySet())) {
            Parts.Part part = i.partsSpec().parts().get(e.getKey());
            Duration left = now.isBefore(e.getValue()) ? Duration.between(now, e.getValue()) : Duration.ZERO;
            i.later(left, () -> Running.restartEnded(i, part));
        }
    }
}
