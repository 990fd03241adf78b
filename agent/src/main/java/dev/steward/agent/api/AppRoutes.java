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
import java.util.Map;

/**
 * {@code /v1/apps} (upload an archive, list, info, remove), {@code /v1/profiles} (upload, list,
 * show, remove) and {@code /v1/runlist} (add, remove, list).
 */
final class AppRoutes {
    /** How long an upload may take to arrive. */
    static final Duration UPLOAD_TIMEOUT = Duration.ofMinutes(10);
    private final AppStore apps;
    private final dev.steward.agent.engine.Engine engine;
    private final Intake intake;

    AppRoutes(AppStore apps, dev.steward.agent.engine.Engine engine, Path uploads) {
        this.apps = apps;
        this.engine = engine;
        this.intake = new Intake(uploads, apps.spoolLimits());
    }

    void bind(ServerBuilder sb) {
        String app = "/v1/apps/{name}";
        sb.route().get("/v1/apps").build(Blocking.of((ctx, req) -> Requests.ok(apps.apps().stream().map(a -> {
            Map<String, Object> v = Json.MAPPER.convertValue(a, new com.fasterxml.jackson.core.type.TypeReference<LinkedHashMap<String, Object>>() {});
            v.put("state", state(a.name()));
            return v;
        }).toList())));
        sb.route().put(app).maxRequestLength(intake.limits().maxArchive()).requestTimeout(UPLOAD_TIMEOUT)
                .build(Blocking.streaming((ctx, req) -> Requests.json(HttpStatus.CREATED, upload(Requests.name(ctx), req, Requests.caller(ctx)))));
        sb.route().get(app).build(Blocking.of((ctx, req) -> {
            String name = Requests.name(ctx);
            AppRecord r = apps.app(name).orElseThrow(() -> new ApiException(404, "no app '" + name + "'"));
            Map<String, Object> view = new LinkedHashMap<>();
            view.put("app", r);
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

        sb.route().get("/v1/runlist").build(Blocking.of((ctx, req) -> Requests.ok(apps.runlist())));
        sb.route().put("/v1/runlist/{name}").build(Blocking.of((ctx, req) -> {
            String name = Requests.name(ctx);
            String profileName = req.contentUtf8().strip();
            if (profileName.isEmpty()) throw new ApiException(400, "the body must name the profile");
            apps.runlistAdd(name, profileName, Requests.caller(ctx));
            return Requests.ok(apps.runlist());
        }));
        sb.route().delete("/v1/runlist/{name}").build(Blocking.of((ctx, req) -> {
            apps.runlistRemove(Requests.name(ctx), Requests.caller(ctx));
            return Requests.ok(apps.runlist());
        }));
    }

    private String state(String app) {
        return engine.app(app).map(e -> e.state().join().wire()).orElse("stopped");
    }

    private static Map<String, Object> view(ProfileRecord r) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("name", r.name());
        v.put("uploaded", r.uploaded());
        v.put("source", r.source());
        v.put("profile", dev.steward.model.Profile.parse(r.source()));
        return v;
    }

    /**
     * Streams the body to a file as it arrives (within the upload limits), then hands it to the store;
     * the file is gone once answered, whatever the answer.
     */
    private AppRecord upload(String name, HttpRequest req, dev.steward.agent.auth.Caller who) throws IOException {
        try (Upload upload = intake.begin(req.headers().contentLength())) {
            try (InputStream body = req.toInputStream(o -> o instanceof HttpData d ? d : HttpData.empty())) {
                upload.receive(body);
            } catch (IOException e) {
                throw cutOff(e);
            }
            if (upload.size() == 0) throw new ApiException(400, "the body must be the app's archive (.tar.gz, .tar or .zip)");
            Format format = upload.format().orElseThrow(() -> new ApiException(400, "the body is not a .tar.gz, .tar or .zip archive"));
            return apps.upload(name, upload.file(), format, who);
        }
    }

    /** A body that was not stored whole: over the route's limit, the client gone, or the agent's disk failing. */
    private static RuntimeException cutOff(IOException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ContentTooLargeException c) return c;
        }
        if (e instanceof java.nio.file.FileSystemException) return new IllegalStateException("cannot store the upload: " + SpoolException.reason(e));
        return new ApiException(400, "the upload did not arrive whole: " + e.getMessage());
    }
}
