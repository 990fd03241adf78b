package dev.steward.agent.api;

import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpResponseWriter;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.server.ServerBuilder;
import dev.steward.agent.engine.AppEngine;
import dev.steward.agent.engine.Engine;
import dev.steward.agent.engine.Sink;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Running apps over HTTP: {@code POST /v1/running/{app}} (body: the profile) starts one, {@code DELETE}
 * pauses it, {@code GET /v1/running} lists them; {@code POST /v1/apps/{app}/{event}} enqueues the body
 * and streams the worker's chunks as the response body ({@code ?tag=}, {@code ?timeout=}).
 */
final class AppCalls {
    /** The largest event body taken: one frame of the protocol holds it. */
    static final long MAX_DATA = 16L << 20;
    private final Engine engine;
    private final dev.steward.agent.apps.AppStore apps;

    AppCalls(Engine engine, dev.steward.agent.apps.AppStore apps) {
        this.engine = engine;
        this.apps = apps;
    }

    void bind(ServerBuilder sb) {
        sb.route().get("/v1/running").build(Blocking.of((ctx, req) -> Requests.ok(engine.list())));
        sb.route().post("/v1/running/{name}").build(Blocking.of((ctx, req) -> {
            String name = Requests.name(ctx);
            String profile = req.contentUtf8().strip();
            if (profile.isEmpty()) throw new ApiException(400, "the body must name the profile to start the app with");
            apps.mayChangeApp(name, Requests.caller(ctx));
            String result = engine.start(name, profile);
            return Requests.ok(Map.of("name", name, "profile", profile, "result", result));
        }));
        sb.route().delete("/v1/running/{name}").build(Blocking.of((ctx, req) -> {
            String name = Requests.name(ctx);
            if (apps.app(name).isPresent()) apps.mayChangeApp(name, Requests.caller(ctx));
            return Requests.ok(Map.of("name", name, "result", engine.pause(name)));
        }));
        sb.route().post("/v1/apps/{name}/{event}").maxRequestLength(MAX_DATA).requestTimeoutMillis(0).build(Blocking.of((ctx, req) -> {
            String name = Requests.name(ctx);
            String event = ctx.pathParam("event");
            AppEngine app = engine.app(name).orElseThrow(() -> new ApiException(409, "app " + name + " is not running (steward app start "
                    + name + " PROFILE)"));
            String tag = ctx.queryParam("tag");
            Duration timeout = Requests.duration(ctx, "timeout");
            HttpResponseWriter out = HttpResponse.streaming();
            app.enqueue(event, req.content().array(), tag, timeout, new HttpSink(out));
            return out;
        }));
    }
}
