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
 * inputs), {@code GET /v1/services/{name}/opened}, {@code GET /v1/dynamic/{uuid}}, {@code POST /v1/dynamic/{uuid}/inputs},
 * {@code GET /v1/dynamic/{uuid}/outputs} (an archive of the outputs folder as it is), {@code POST /v1/dynamic/{uuid}/close}.
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
                    boolean wait = flag(ctx, "wait");
                    Object view = hasBody(req)
                            ? uploads.take(req, "inputs", (file, format) -> dynamics.open(name, owner, unpacked(file, format), wait))
                            : dynamics.open(name, owner, null, wait);
                    return Requests.json(wait ? HttpStatus.CREATED : HttpStatus.ACCEPTED, view);
                }));
        sb.route().post("/v1/dynamic/{uuid}/inputs").maxRequestLength(uploads.maxArchive()).requestTimeout(Uploads.TIMEOUT)
                .build(Blocking.streaming((ctx, req) -> {
                    String uuid = uuid(ctx);
                    Rights.requireChange(Requests.caller(ctx), "instance " + uuid, dynamics.owner(uuid), dynamics.administrators(uuid));
                    if (!hasBody(req)) throw new ApiException(400, "the body must be an archive (.tar.gz or .zip) of the new inputs");
                    return Requests.ok(uploads.take(req, "inputs", (file, format) -> dynamics.pushInputs(uuid, unpacked(file, format))));
                }));
        sb.route().get("/v1/services/{name}/opened").build(Blocking.of((ctx, req) -> {
            String name = Requests.name(ctx);
            sup.view(name); // 404 for a service that is not registered
            return Requests.ok(dynamics.instances(name));
        }));
        sb.route().get("/v1/dynamic/{uuid}/outputs").requestTimeout(Uploads.TIMEOUT).build(Blocking.of((ctx, req) -> {
            String uuid = uuid(ctx);
            Rights.requireChange(Requests.caller(ctx), "instance " + uuid, dynamics.owner(uuid), dynamics.administrators(uuid));
            Path packed = java.nio.file.Files.createTempFile("steward-outputs-", ".tar.gz");
            try {
                int leftOut = dynamics.packOutputs(uuid, packed);
                ctx.log().whenComplete().thenRun(() -> deleteQuietly(packed));
                return com.linecorp.armeria.common.HttpResponse.of(com.linecorp.armeria.common.ResponseHeaders.builder(HttpStatus.OK)
                        .contentType(com.linecorp.armeria.common.MediaType.create("application", "gzip")).contentLength(java.nio.file.Files.size(packed))
                        .set(LEFT_OUT, Integer.toString(leftOut)).build(), com.linecorp.armeria.common.stream.StreamMessage.of(packed));
            } catch (RuntimeException | java.io.IOException e) {
                deleteQuietly(packed);
                throw e;
            }
        }));
        sb.route().get("/v1/dynamic/{uuid}").build(Blocking.of((ctx, req) -> Requests.ok(dynamics.detail(uuid(ctx)))));
        sb.route().post("/v1/dynamic/{uuid}/close").build(Blocking.of((ctx, req) -> {
            String uuid = uuid(ctx);
            Rights.requireChange(Requests.caller(ctx), "instance " + uuid, dynamics.owner(uuid), dynamics.administrators(uuid));
            boolean save = flag(ctx, "save");
            return Requests.ok(Map.of("closed", dynamics.close(uuid, save)));
        }));
    }

    /** How many entries of an outputs folder were left out of its archive (links, special files). */
    static final String LEFT_OUT = "steward-left-out";

    private static void deleteQuietly(Path p) {
        try {
            java.nio.file.Files.deleteIfExists(p);
        } catch (java.io.IOException ignored) {
            // in the temporary folder: the system clears it
        }
    }

    private static boolean hasBody(com.linecorp.armeria.common.HttpRequest req) {
        return req.headers().contentLength() > 0 || req.headers().contains(HttpHeaderNames.TRANSFER_ENCODING);
    }

    private Path unpacked(Path file, dev.steward.agent.spool.Format format) {
        return sup.context().spooler().take(file, format, d -> d, "inputs").dir();
    }

    /** A query flag, true unless given as false; anything else is refused. */
    private static boolean flag(ServiceRequestContext ctx, String name) {
        String v = ctx.queryParam(name);
        if (v == null || v.equals("true")) return true;
        if (v.equals("false")) return false;
        throw new ApiException(400, name + ": '" + v + "' (expected: true or false)");
    }

    private static String uuid(ServiceRequestContext ctx) {
        String u = ctx.pathParam("uuid");
        if (u == null || !u.matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")) {
            throw new ApiException(400, "'" + u + "' is not an instance's UUID");
        }
        return u;
    }
}
