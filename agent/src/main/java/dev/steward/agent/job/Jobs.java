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
 * waits until they are available, runs the program, releases them at its end.
 */
public final class Jobs {
    private static final int KEEP = 200;
    private final Registry registry;
    private final Duration needsTimeout;
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<String, JobView> jobs = new LinkedHashMap<>();

    public Jobs(Registry registry, Duration needsTimeout) {
        this.registry = registry;
        this.needsTimeout = needsTimeout;
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
            if (!registry.awaitAvailable(spec.needs(), needsTimeout)) {
                List<String> missing = spec.needs().stream().filter(n -> !registry.available(n)).toList();
                end(v, null, "failed", "needed services not available within " + needsTimeout.toSeconds() + "s: " + missing);
                return;
            }
            Map<String, String> env = new HashMap<>(spec.env());
            env.put("STEWARD_SERVICE", spec.name());
            env.put("STEWARD_INSTANCE", v.id());
            Map<String, String> all = Launch.merged(env);
            Path dir = ctx.workDir(spec);
            InstanceHandle h = ctx.isolates().of(spec.isolate()).spawn(new SpawnRequest(spec.name(), v.id(), Expand.all(spec.command(), all),
                    dir, env, Path.of(v.log()), spec.resources(), Launch.isolateOptions(spec, ctx.runAs())));
            put(new JobView(v.id(), v.name(), "running", null, "", v.started(), null, v.log(), v.owner()));
            ExitStatus st = h.exit().join();
            Integer code = st instanceof ExitStatus.Code c ? c.code() : null;
            end(v, code, st.clean() ? "succeeded" : "failed", st.describe());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            end(v, null, "failed", "interrupted");
        } catch (Exception e) {
            end(v, null, "failed", "cannot start: " + e.getMessage());
        } finally {
            spec.needs().forEach(registry::release);
        }
    }

    private void end(JobView v, Integer code, String state, String reason) {
        Instant now = registry.context().clock().instant();
        put(new JobView(v.id(), v.name(), state, code, reason, v.started(), now, v.log(), v.owner()));
        registry.context().events().publish(new Event.JobEnded(now, v.name(), code == null ? -1 : code, reason));
    }

    private void put(JobView v) {
        lock.lock();
        try {
            jobs.put(v.id(), v);
            while (jobs.size() > KEEP) jobs.remove(jobs.keySet().iterator().next());
        } finally {
            lock.unlock();
        }
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
