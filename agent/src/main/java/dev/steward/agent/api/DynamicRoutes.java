package dev.steward.agent.api;

import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.ServiceRequestContext;
import dev.steward.agent.auth.Rights;
import dev.steward.agent.dynamic.Dynamics;
import dev.steward.agent.service.Registry;
import java.nio.file.Path;
import java.util.Map;

/**
 * Dynamic services' instances: {@code POST /v1/services/{name}/open} (the body, when there is one, an archive of the
 * inputs), {@code GET /v1/services/{name}/opened}, {@code GET /v1/dynamic/{uuid}}, {@code POST /v1/dynamic/{uuid}/close}.
 */
final class DynamicRoutes {
    private final Dynamics dynamics;
    private final Registry sup;
    private final Uploads uploads;

    DynamicRoutes(Dynamics dynamics, Registry sup, Uploads uploads) {
        this.dynamics = dynamics;
        this.sup = sup;
        this.uploads = uploads;
    }

    void bind(ServerBuilder sb) {
        sb.route().post("/v1/services/{name}/open").maxRequestLength(uploads.maxArchive()).requestTimeout(Uploads.TIMEOUT)
                .build(Blocking.streaming((ctx, req) -> {
                    String name = Requests.name(ctx);
                    String why = Dynamics.unavailable();
                    if (why != null) throw new ApiException(503, why);
                    String owner = Requests.caller(ctx).name();
                    boolean body = req.headers().contentLength() > 0 || req.headers().contains(HttpHeaderNames.TRANSFER_ENCODING);
                    Object view = body
                            ? uploads.take(req, "inputs", (file, format) -> {
                                Path dir = sup.context().spooler().take(file, format, d -> d, "inputs").dir();
                                return dynamics.open(name, owner, dir);
                            })
                            : dynamics.open(name, owner, null);
                    return Requests.json(HttpStatus.CREATED, view);
                }));
        sb.route().get("/v1/services/{name}/opened").build(Blocking.of((ctx, req) -> {
            String name = Requests.name(ctx);
            sup.view(name); // 404 for a service that is not registered
            return Requests.ok(dynamics.instances(name));
        }));
        sb.route().get("/v1/dynamic/{uuid}").build(Blocking.of((ctx, req) -> Requests.ok(dynamics.view(uuid(ctx)))));
        sb.route().post("/v1/dynamic/{uuid}/close").build(Blocking.of((ctx, req) -> {
            String uuid = uuid(ctx);
            Rights.requireChange(Requests.caller(ctx), "instance " + uuid, dynamics.owner(uuid), dynamics.administrators(uuid));
            boolean save = !"false".equals(ctx.queryParam("save"));
            return Requests.ok(Map.of("closed", dynamics.close(uuid, save)));
        }));
    }

    private static String uuid(ServiceRequestContext ctx) {
        String u = ctx.pathParam("uuid");
        if (u == null || !u.matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")) {
            throw new ApiException(400, "'" + u + "' is not an instance's UUID");
        }
        return u;
    }
}
