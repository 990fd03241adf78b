package dev.steward.agent.api;

import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.server.ServerBuilder;
import dev.steward.agent.job.Jobs;

/** {@code /v1/jobs}: run a job, list jobs, show one. */
final class JobRoutes {
    private final Jobs jobs;

    JobRoutes(Jobs jobs) {
        this.jobs = jobs;
    }

    void bind(ServerBuilder sb) {
        sb.route().post("/v1/jobs").build(Blocking.of((ctx, req) ->
                Requests.json(HttpStatus.ACCEPTED, jobs.run(Requests.spec(req).spec()))));
        sb.route().get("/v1/jobs").build(Blocking.of((ctx, req) -> Requests.ok(jobs.list())));
        sb.route().get("/v1/jobs/{id}").build(Blocking.of((ctx, req) -> Requests.ok(jobs.get(ctx.pathParam("id")))));
    }
}
