package dev.steward.agent.api;

import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpResponseWriter;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.server.ServerBuilder;
import dev.steward.agent.functions.FunctionRecord;
import dev.steward.agent.functions.Functions;
import java.time.Duration;
import java.util.Map;

/**
 * {@code /v1/functions} (list), {@code /v1/functions/{name}} (PUT an archive: a new version; GET;
 * DELETE) and {@code POST /v1/functions/{name}/invoke} (the body is the data, the reply streams back;
 * {@code ?timeout=} shortens the function's own).
 */
final class FunctionRoutes {
    private final Functions functions;
    private final Uploads uploads;

    FunctionRoutes(Functions functions, Uploads uploads) {
        this.functions = functions;
        this.uploads = uploads;
    }

    void bind(ServerBuilder sb) {
        String one = "/v1/functions/{name}";
        sb.route().get("/v1/functions").build(Blocking.of((ctx, req) ->
                Requests.ok(functions.store().functions().stream().map(functions::summary).toList())));
        sb.route().put(one).maxRequestLength(uploads.maxArchive()).requestTimeout(Uploads.TIMEOUT)
                .build(Blocking.streaming((ctx, req) -> {
                    FunctionRecord r = uploads.take(req, "function", (file, format) -> functions.add(Requests.name(ctx), file, format, Requests.caller(ctx)));
                    return Requests.json(HttpStatus.CREATED, functions.summary(r));
                }));
        sb.route().get(one).build(Blocking.of((ctx, req) -> Requests.ok(functions.info(Requests.name(ctx)))));
        sb.route().delete(one).build(Blocking.of((ctx, req) -> {
            FunctionRecord r = functions.remove(Requests.name(ctx), Requests.caller(ctx));
            return Requests.ok(Map.of("name", r.name(), "removed", true));
        }));
        sb.route().post(one + "/invoke").maxRequestLength(AppCalls.MAX_DATA).requestTimeoutMillis(0).build(Blocking.of((ctx, req) -> {
            String name = Requests.name(ctx);
            if (functions.store().function(name).isEmpty()) throw new ApiException(404, "no function '" + name + "'");
            Duration timeout = Requests.duration(ctx, "timeout");
            HttpResponseWriter out = HttpResponse.streaming();
            functions.invoke(name, req.content().array(), timeout, new HttpSink(out));
            return out;
        }));
    }
}
