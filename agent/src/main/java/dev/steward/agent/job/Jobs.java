package dev.steward.agent.job;

import dev.steward.agent.errors.NotFoundException;
import dev.steward.agent.instance.Context;
import dev.steward.agent.instance.Expand;
import dev.steward.agent.instance.Launch;
import dev.steward.agent.isolate.ExitStatus;
import dev.steward.agent.service.Registry;
import dev.steward.agent.isolate.InstanceHandle;
import dev.steward.agent.isolate.SpawnRequest;
import dev.steward.model.Event;
import dev.steward.model.InvalidSpecException;
import dev.steward.model.Kind;
import dev.steward.model.Problem;
import dev.steward.model.Spec;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Runs jobs to completion: takes references on what each needs (starting on-demand services),
 * waits until they are available, runs the program, releases them at its end. The last
 * {@value #KEEP} jobs are kept in the store under {@code jobs/}, so their history outlives the
 * agent; a job that was running when the agent stopped is shown as failed, its end unseen.
 */
public final class Jobs {
    private static final int KEEP = 200;
    private static final String PREFIX = "jobs/";
    private final Registry registry;
    private final Duration needsTimeout;
    private final dev.steward.agent.store.Store store;
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<String, JobView> jobs = new LinkedHashMap<>();
    /** The programs of running jobs, and the jobs asked to stop (which may not have started yet). */
    private final Map<String, InstanceHandle> running = new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.Set<String> stopping = java.util.concurrent.ConcurrentHashMap.newKeySet();

    public Jobs(Registry registry, Duration needsTimeout) {
        this(registry, needsTimeout, null);
    }

    /** Jobs kept in {@code store} (null: in memory only). */
    public Jobs(Registry registry, Duration needsTimeout, dev.steward.agent.store.Store store) {
        this.registry = registry;
        this.needsTimeout = needsTimeout;
        this.store = store;
        if (store != null) restore();
    }

    private void restore() {
        Instant now = registry.context().clock().instant();
        List<JobView> kept = new ArrayList<>();
        for (String json : store.list(PREFIX).values()) {
            try {
                kept.add(dev.steward.agent.Json.read(json, JobView.class));
            } catch (RuntimeException e) {
                // a record this agent cannot read is skipped, not fatal
            }
        }
        kept.sort(java.util.Comparator.comparing(JobView::started));
        for (JobView v : kept) {
            boolean unfinished = v.ended() == null;
            JobView shown = unfinished ? new JobView(v.id(), v.name(), "failed", null, "the agent stopped while it ran; its end was not seen",
                    v.started(), now, v.log(), v.owner()) : v;
            jobs.put(v.id(), shown);
            if (unfinished) store.put(PREFIX + v.id(), dev.steward.agent.Json.write(shown));
        }
    }

    /** Asks a waiting or running job to stop: its program gets SIGTERM, then SIGKILL after the stop grace. */
    public JobView stop(String id) {
        JobView v = get(id);
        if (v.ended() != null) return v;
        stopping.add(id);
        InstanceHandle h = running.get(id);
        if (h != null) {
            h.terminate();
            registry.context().timers().after(registry.context().stopGrace(), () -> {
                if (!h.exit().isDone()) h.kill();
            });
        }
        // the job as this stop found it: one that dies of the signal at once may have ended by now, but it was this call
        // that stopped it, not an earlier end (the CLI says "already ended" only for an end it did not cause)
        return v;
    }

    /** Starts a job for {@code owner} (the caller's token name). */
    public JobView run(Spec spec, String owner) {
        if (spec.kind() != Kind.JOB) throw new InvalidSpecException("kind", "'" + spec.kind().wire() + "' specs are registered with 'steward service register'; 'job run' takes kind: job");
        List<Problem> problems = new ArrayList<>();
        for (int i = 0; i < spec.needs().size(); i++) {
            String n = spec.needs().get(i);
            try {
                registry.runner(n);
            } catch (NotFoundException e) {
                problems.add(new Problem("needs[" + i + "]", "no service '" + n + "' is registered"));
            }
        }
        if (!problems.isEmpty()) throw new InvalidSpecException(problems);
        registry.requireIsolate(spec);
        Context ctx = registry.context();
        String id = spec.name() + "-" + UUID.randomUUID().toString().substring(0, 8);
        Path log = ctx.dataDir().resolve("logs").resolve("jobs").resolve(id + ".log");
        JobView v = new JobView(id, spec.name(), "waiting", null, "waiting for " + spec.needs(), ctx.clock().instant(), null, log.toString(), owner);
        put(v);
        Thread.ofVirtual().name("job-" + id).start(() -> execute(spec, v));
        return v;
    }

    private void execute(Spec spec, JobView v) {
        Context ctx = registry.context();
        spec.needs().forEach(registry::use);
        try {
            if (!registry.awaitAvailable(spec.needs(), needsTimeout) && !stopping.contains(v.id())) {
                List<String> missing = spec.needs().stream().filter(n -> !registry.available(n)).toList();
                end(v, null, "failed", "needed services not available within " + needsTimeout.toSeconds() + "s: " + missing);
                return;
            }
            Map<String, String> env = new HashMap<>(spec.env());
            env.put("STEWARD_SERVICE", spec.name());
            env.put("STEWARD_INSTANCE", v.id());
            Map<String, String> all = Launch.merged(env);
            Path dir = ctx.workDir(spec);
            if (stopping.contains(v.id())) {
                end(v, null, "failed", "stopped before it started");
                return;
            }
            InstanceHandle h = ctx.isolates().of(spec.isolate()).spawn(new SpawnRequest(spec.name(), v.id(), Expand.all(spec.command(), all),
                    dir, env, Path.of(v.log()), spec.resources(), Launch.isolateOptions(spec, ctx.runAs())));
            running.put(v.id(), h);
            if (stopping.contains(v.id())) h.terminate(); // asked to stop while it was being spawned
            put(new JobView(v.id(), v.name(), "running", null, "", v.started(), null, v.log(), v.owner()));
            ExitStatus st = h.exit().join();
            Integer code = st instanceof ExitStatus.Code c ? c.code() : null;
            boolean stopped = stopping.contains(v.id());
            end(v, code, st.clean() && !stopped ? "succeeded" : "failed", stopped ? "stopped: " + st.describe() : st.describe());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            end(v, null, "failed", "interrupted");
        } catch (Exception e) {
            end(v, null, "failed", "cannot start: " + e.getMessage());
        } finally {
            running.remove(v.id());
            stopping.remove(v.id());
            spec.needs().forEach(registry::release);
        }
    }

    private void end(JobView v, Integer code, String state, String reason) {
        Instant now = registry.context().clock().instant();
        put(new JobView(v.id(), v.name(), state, code, reason, v.started(), now, v.log(), v.owner()));
        registry.context().events().publish(new Event.JobEnded(now, v.name(), code == null ? -1 : code, reason));
    }

    private void put(JobView v) {
        List<String> dropped = new ArrayList<>();
        lock.lock();
        try {
            jobs.put(v.id(), v);
            while (jobs.size() > KEEP) {
                String oldest = jobs.keySet().iterator().next();
                jobs.remove(oldest);
                dropped.add(PREFIX + oldest);
            }
        } finally {
            lock.unlock();
        }
        // outside the lock: a job's own updates come from one thread at a time, in order
        if (store != null) store.apply(Map.of(PREFIX + v.id(), dev.steward.agent.Json.write(v)), dropped);
    }

    public JobView get(String id) {
        lock.lock();
        try {
            JobView v = jobs.get(id);
            if (v == null) throw new NotFoundException("no job '" + id + "'");
            return v;
        } finally {
            lock.unlock();
        }
    }

    public List<JobView> list() {
        lock.lock();
        try {
            return List.copyOf(jobs.values());
        } finally {
            lock.unlock();
        }
    }
}
