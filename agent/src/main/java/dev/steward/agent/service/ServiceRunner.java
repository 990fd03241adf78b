package dev.steward.agent.service;

import dev.steward.agent.errors.ConflictException;
import dev.steward.agent.errors.NotFoundException;
import dev.steward.agent.instance.Context;
import dev.steward.agent.instance.InstanceEvent;
import dev.steward.agent.isolate.InstanceHandle;
import dev.steward.agent.store.InstanceRecord;
import dev.steward.agent.store.ServiceRecord;
import dev.steward.agent.traffic.Backend;
import dev.steward.agent.traffic.Endpoint;
import dev.steward.model.InstanceState;
import dev.steward.model.ServiceState;
import dev.steward.model.Spec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * One service's runner: the only thread that changes the service's state. Commands (from the API,
 * the gateway, the autoscaler, other services) and reports of work done outside (spawns, exits,
 * pings, drains) wait in its inbox; one virtual thread takes them in order, lets {@link Service}
 * decide, starts what must be done elsewhere, and publishes an immutable {@link Snapshot} that every
 * reader uses without a lock.
 */
public final class ServiceRunner implements Backend {
    private record Envelope(Command command, CompletableFuture<Object> reply) {}

    private final LinkedBlockingQueue<Envelope> inbox = new LinkedBlockingQueue<>();
    private final Service service;
    private volatile Snapshot snapshot;
    private volatile CompletableFuture<Void> changed = new CompletableFuture<>();
    /** The runner has ended (the service was removed, or the agent closes): what is asked now is refused. */
    private volatile boolean ended;

    private final Placed placed;

    ServiceRunner(Context ctx, Needs needs, ServiceRecord record, Spec spec, boolean custom, Placed placed) {
        this.placed = placed;
        this.service = new Service(ctx, needs, record, spec, custom, this::post, placed);
        this.snapshot = service.snapshot();
        Thread.ofVirtual().name("service-" + spec.name()).start(this::drain);
    }

    // ---- the inbox -------------------------------------------------------------------------

    private void drain() {
        List<Envelope> batch = new ArrayList<>();
        try {
            while (true) {
                batch.add(inbox.take());
                inbox.drainTo(batch, 255);
                List<Runnable> replies = new ArrayList<>(batch.size());
                for (Envelope e : batch) replies.add(handle(e));
                Snapshot s = service.snapshot();
                publish(s);
                service.announce(s);
                replies.forEach(Runnable::run);
                batch.clear();
                if (service.finished()) {
                    ended = true;
                    refusePending();
                    return;
                }
            }
        } catch (InterruptedException e) {
            // the agent is closing
        }
    }

    private Runnable handle(Envelope e) {
        try {
            Object answer = service.handle(e.command());
            return () -> {
                if (e.reply() != null) e.reply().complete(answer);
            };
        } catch (RuntimeException ex) {
            if (e.reply() == null) System.err.println("steward: service " + name() + ": " + e.command() + ": " + ex);
            return () -> {
                if (e.reply() != null) e.reply().completeExceptionally(ex);
            };
        }
    }

    /** Answers whatever still waits in the inbox of a runner that has ended. */
    private void refusePending() {
        Envelope e;
        while ((e = inbox.poll()) != null) {
            if (e.reply() != null) e.reply().completeExceptionally(new NotFoundException("service " + name() + " is gone"));
        }
    }

    private void publish(Snapshot s) {
        snapshot = s;
        CompletableFuture<Void> old = changed;
        changed = new CompletableFuture<>();
        old.complete(null);
    }

    /** Hands a command to the runner without waiting: safe on an event loop. */
    private void post(Command c) {
        inbox.add(new Envelope(c, null));
    }

    /** Hands a command to the runner and waits until it is done and its outcome published. */
    private Object ask(Command c) {
        CompletableFuture<Object> reply = new CompletableFuture<>();
        inbox.add(new Envelope(c, reply));
        if (ended) refusePending();
        try {
            return reply.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw e;
        }
    }

    /** Waits until a published snapshot satisfies {@code test}, at most {@code wait}; the last snapshot seen. */
    Snapshot await(Predicate<Snapshot> test, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            CompletableFuture<Void> next = changed;
            Snapshot s = snapshot;
            long left = deadline - System.nanoTime();
            if (test.test(s) || left <= 0) return s;
            try {
                next.get(left, TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                return snapshot;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return snapshot;
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    // ---- commands --------------------------------------------------------------------------

    /** Starts the service (enabling it again after a failure limit), optionally with a count. */
    public void start(Integer count) {
        ask(new Command.Start(count));
    }

    public void stop() {
        ask(new Command.Stop());
    }

    /** Stops the instances for an agent shutdown, without recording the service as stopped. */
    public void halt() {
        ask(new Command.Halt());
    }

    /** Freezes every running instance; refused when none runs. */
    public int pause() {
        return move(InstanceState.RUNNING, InstanceState.PAUSED, "pause", InstanceHandle::pause);
    }

    /** Thaws every paused instance; refused when none is paused. */
    public int resume() {
        return move(InstanceState.PAUSED, InstanceState.RUNNING, "resume", InstanceHandle::resume);
    }

    private interface HandleAction {
        void apply(InstanceHandle h) throws java.io.IOException;
    }

    /** The runner names the instances; the freezing (cgroup writes, engine calls) happens here, off the runner. */
    @SuppressWarnings("unchecked")
    private int move(InstanceState from, InstanceState to, String verb, HandleAction action) {
        List<Service.Target> targets = (List<Service.Target>) ask(new Command.Targets(from, verb));
        if (targets.isEmpty()) throw new ConflictException("service " + name() + " has no " + from.wire() + " instance to " + verb);
        List<InstanceEvent> done = new ArrayList<>();
        for (Service.Target t : targets) {
            String error = "";
            try {
                action.apply(t.handle());
            } catch (java.io.IOException e) {
                error = "cannot " + verb + ": " + e.getMessage();
            }
            done.add(new InstanceEvent.Moved(t.instance(), t.generation(), to, error));
        }
        ask(new Command.Reports(done));
        return targets.size();
    }

    @Override
    public void use() {
        post(new Command.Use());
    }

    @Override
    public void release() {
        post(new Command.Release());
    }

    /** Takes a reference and waits until the runner counted it. */
    public void useNow() {
        ask(new Command.Use());
    }

    public void releaseNow() {
        ask(new Command.Release());
    }

    @Override
    public void scaleTo(int n) {
        if (n != snapshot.scaled()) post(new Command.ScaleTo(n));
    }

    @Override
    public void wake() {
        post(new Command.Wake());
    }

    /** Replaces the spec; instances of the old one are replaced one at a time when what they run changed. */
    public void update(Spec spec, ServiceRecord record) {
        ask(new Command.Update(spec, record));
    }

    /** Takes over what a previous agent left (answers at once; adoption goes on in the background). */
    public void activate(List<InstanceRecord> stored) {
        ask(new Command.Activate(stored));
    }

    /** Waits until everything posted so far has been handled (tests, and callers that must see their posts applied). */
    void sync() {
        ask(new Command.NeedsChanged());
    }

    /** Has the restored instances confirmed by their isolate, in the background. */
    void adopt() {
        post(new Command.Adopt());
    }

    void needsChanged() {
        post(new Command.NeedsChanged());
    }

    /** The scheduler changed this service's assignments: the runner reads the count assigned here again. */
    void reassigned() {
        post(new Command.Reassigned());
    }

    void lingerCheck() {
        post(new Command.LingerCheck());
    }

    /** Stops everything and forgets the service; returns once its instances are gone or {@code wait} passed. */
    public void remove(Duration wait) {
        ask(new Command.Remove());
        awaitStopped(wait);
    }

    public boolean awaitStopped(Duration wait) {
        return await(Snapshot::nothingLive, wait).nothingLive();
    }

    // ---- reads, from the published snapshot ------------------------------------------------

    Snapshot snapshot() {
        return snapshot;
    }

    @Override
    public String name() {
        return snapshot.spec().name();
    }

    @Override
    public Spec spec() {
        return snapshot.spec();
    }

    public ServiceRecord record() {
        return snapshot.record();
    }

    public boolean custom() {
        return snapshot.custom();
    }

    @Override
    public List<Endpoint> ready() {
        return snapshot.ready();
    }

    @Override
    public ServiceState state() {
        return snapshot.state();
    }

    @Override
    public int live() {
        return snapshot.live();
    }

    @Override
    public int scaled() {
        return snapshot.scaled();
    }

    @Override
    public Optional<Endpoint> awaitReady(Duration wait) {
        Snapshot s = await(x -> !x.ready().isEmpty() || x.disabled() || x.removed(), wait);
        return s.ready().isEmpty() ? Optional.empty() : Optional.of(s.ready().get(0));
    }

    @Override
    public void awaitPassed(dev.steward.agent.traffic.Readiness.Waiter w) {
        service.context().readiness().await(name(), w);
    }

    @Override
    public void leavePassed(dev.steward.agent.traffic.Readiness.Waiter w) {
        service.context().readiness().leave(name(), w);
    }

    public ServiceView view() {
        return Views.service(snapshot, service.context(), placed);
    }

    /** The log files of the service's instances, those gone included, oldest first; or of one instance. */
    public List<Path> logs(String instance) {
        return dev.steward.agent.logs.LogFiles.in(service.context().dataDir().resolve("logs").resolve(name()), instance);
    }

    /** Live instance counts by state, for metrics. */
    public Map<InstanceState, Integer> countByState() {
        Map<InstanceState, Integer> m = new java.util.EnumMap<>(InstanceState.class);
        snapshot.instances().forEach(i -> m.merge(i.state(), 1, Integer::sum));
        return m;
    }

    /** Ends the runner and its pings (the agent is closing); instances keep running for the next agent. */
    void detach() {
        post(new Command.Detach());
    }
}
