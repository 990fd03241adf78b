package dev.steward.agent.api;

import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.server.ServerBuilder;
import dev.steward.agent.job.Jobs;

/** {@code /v1/jobs}: run a job, list jobs, show one, stop one (its owner or an admin). */
final class JobRoutes {
    private final Jobs jobs;
    private final dev.steward.agent.isolate.RunAs runAs;

    JobRoutes(Jobs jobs, dev.steward.agent.isolate.RunAs runAs) {
        this.jobs = jobs;
        this.runAs = runAs;
    }

    void bind(ServerBuilder sb) {
        sb.route().post("/v1/jobs").build(Blocking.of((ctx, req) -> {
            var spec = Requests.spec(req).spec();
            runAs.check(spec, Requests.caller(ctx).admin());
            return Requests.json(HttpStatus.ACCEPTED, jobs.run(spec, Requests.caller(ctx).name()));
        }));
        sb.route().get("/v1/jobs").build(Blocking.of((ctx, req) -> Requests.ok(jobs.list())));
        sb.route().get("/v1/jobs/{id}").build(Blocking.of((ctx, req) -> Requests.ok(jobs.get(ctx.pathParam("id")))));
        sb.route().post("/v1/jobs/{id}/stop").build(Blocking.of((ctx, req) -> {
            String id = ctx.pathParam("id");
            dev.steward.agent.auth.Rights.requireChange(Requests.caller(ctx), "job " + id, jobs.get(id).owner(), java.util.List.of());
            return Requests.ok(jobs.stop(id));
        }));
    }
}
