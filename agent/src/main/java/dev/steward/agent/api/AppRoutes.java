package dev.steward.agent.api;

import com.linecorp.armeria.common.ContentTooLargeException;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.server.ServerBuilder;
import dev.steward.agent.Json;
import dev.steward.agent.apps.AppRecord;
import dev.steward.agent.apps.AppStore;
import dev.steward.agent.apps.ProfileRecord;
import dev.steward.agent.spool.Format;
import dev.steward.agent.spool.Intake;
import dev.steward.agent.spool.SpoolException;
import dev.steward.agent.spool.Upload;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code /v1/apps} (upload an archive, list, info, remove), {@code /v1/profiles} (upload, list,
 * show, remove) and {@code /v1/runlist} (add, remove, list).
 */
final class AppRoutes {
    private final AppStore apps;
    private final dev.steward.agent.engine.Engine engine;
    private final Uploads uploads;

    AppRoutes(AppStore apps, dev.steward.agent.engine.Engine engine, Uploads uploads) {
        this.apps = apps;
        this.engine = engine;
        this.uploads = uploads;
    }

    void bind(ServerBuilder sb) {
        String app = "/v1/apps/{name}";
        sb.route().get("/v1/apps").build(Blocking.of((ctx, req) -> Requests.ok(apps.apps().stream().map(a -> {
            Map<String, Object> v = appView(a);
            v.put("state", state(a.name()));
            return v;
        }).toList())));
        sb.route().put(app).maxRequestLength(uploads.maxArchive()).requestTimeout(Uploads.TIMEOUT)
                .build(Blocking.streaming((ctx, req) -> Requests.json(HttpStatus.CREATED,
                        appView(uploads.take(req, "app", (file, format) -> apps.upload(Requests.name(ctx), file, format, Requests.caller(ctx)))))));
        sb.route().get(app).build(Blocking.of((ctx, req) -> {
            String name = Requests.name(ctx);
            AppRecord r = apps.app(name).orElseThrow(() -> new ApiException(404, "no app '" + name + "'"));
            Map<String, Object> view = new LinkedHashMap<>();
            view.put("app", appView(r));
            view.put("runlist", apps.runlist().get(name));
            var running = engine.app(name);
            if (running.isPresent()) view.putAll(running.get().info().get(5, java.util.concurrent.TimeUnit.SECONDS));
            else view.put("state", "stopped");
            return Requests.ok(view);
        }));
        sb.route().delete(app).build(Blocking.of((ctx, req) -> {
            String name = Requests.name(ctx);
            engine.checkRemovable(name, null);
            apps.removeApp(name, Requests.caller(ctx));
            return Requests.ok(Map.of("name", name, "removed", true));
        }));

        String profile = "/v1/profiles/{name}";
        sb.route().get("/v1/profiles").build(Blocking.of((ctx, req) -> Requests.ok(apps.profiles())));
        sb.route().put(profile).build(Blocking.of((ctx, req) ->
                Requests.json(HttpStatus.CREATED, view(apps.putProfile(Requests.name(ctx), req.contentUtf8(), Requests.caller(ctx))))));
        sb.route().get(profile).build(Blocking.of((ctx, req) -> {
            String name = Requests.name(ctx);
            return Requests.ok(view(apps.profileRecord(name).orElseThrow(() -> new ApiException(404, "no profile '" + name + "'"))));
        }));
        sb.route().delete(profile).build(Blocking.of((ctx, req) -> {
            String name = Requests.name(ctx);
            engine.checkRemovable(null, name);
            apps.removeProfile(name, Requests.caller(ctx));
            return Requests.ok(Map.of("name", name, "removed", true));
        }));

        sb.route().get("/v1/runlist").build(Blocking.of((ctx, req) -> Requests.ok(runlist())));
        sb.route().put("/v1/runlist/{name}").build(Blocking.of((ctx, req) -> {
            String name = Requests.name(ctx);
            String profileName = req.contentUtf8().strip();
            if (profileName.isEmpty()) throw new ApiException(400, "the body must name the profile");
            apps.runlistAdd(name, profileName, Requests.caller(ctx));
            return Requests.ok(runlist());
        }));
        sb.route().delete("/v1/runlist/{name}").build(Blocking.of((ctx, req) -> {
            apps.runlistRemove(Requests.name(ctx), Requests.caller(ctx));
            return Requests.ok(runlist());
        }));
    }

    /** The runlist as a list: each app with its profile. */
    private List<Map<String, String>> runlist() {
        return apps.runlist().entrySet().stream().map(e -> Map.of("app", e.getKey(), "profile", e.getValue())).toList();
    }

    private String state(String app) {
        return engine.app(app).map(e -> e.state().join().wire()).orElse("stopped");
    }

    /** An app as the API shows it: its worker program under {@code worker} (what the manifest calls {@code slave}). */
    private static Map<String, Object> appView(AppRecord a) {
        Map<String, Object> v = new LinkedHashMap<>();
        ApiJson.MAPPER.convertValue(a, new com.fasterxml.jackson.core.type.TypeReference<LinkedHashMap<String, Object>>() {})
                .forEach((k, x) -> v.put(k.equals("slave") ? "worker" : k, x));
        return v;
    }

    private static Map<String, Object> view(ProfileRecord r) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("name", r.name());
        v.put("uploaded", r.uploaded());
        v.put("source", r.source());
        v.put("profile", profile(dev.steward.model.Profile.parse(r.source())));
        List<String> warnings = dev.steward.model.Profile.warnings(r.source());
        if (!warnings.isEmpty()) v.put("warnings", warnings);
        return v;
    }

    /** A profile in full, with the keys and units a profile is uploaded with (durations as {@code 30s}). */
    private static Map<String, Object> profile(dev.steward.model.Profile p) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("queue-limit", p.queueLimit());
        v.put("pool-limit", p.poolLimit());
        v.put("concurrency", p.concurrency());
        v.put("grow-threshold", p.growThreshold());
        v.put("heartbeat-timeout", p.heartbeatTimeout());
        v.put("idle-timeout", p.idleTimeout());
        v.put("startup-timeout", p.startupTimeout());
        v.put("termination-timeout", p.terminationTimeout());
        v.put("isolate", Map.of("type", p.isolate(), "args", p.isolateArgs()));
        return v;
    }
}
