package dev.steward.agent.api;

import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.ServerBuilder;
import dev.steward.agent.apps.AppStore;
import dev.steward.agent.engine.Engine;
import dev.steward.agent.logs.LogFiles;
import dev.steward.agent.logs.LogFollower;
import dev.steward.agent.job.Jobs;
import dev.steward.agent.service.Registry;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code /v1/services/{name}/logs}, {@code /v1/apps/{name}/logs} (its workers') and {@code
 * /v1/jobs/{id}/logs}: the last lines, then (with follow) what is appended, new instances' and
 * workers' logs included as they appear.
 */
final class LogRoutes {
    private static final MediaType TEXT = MediaType.PLAIN_TEXT_UTF_8;
    private static final String ID = "[A-Za-z0-9-]{1,64}";
    private final Registry sup;
    private final Jobs jobs;
    private final AppStore apps;
    private final Engine engine;

    private final dev.steward.agent.functions.Functions functions;

    LogRoutes(Registry sup, Jobs jobs, AppStore apps, Engine engine, dev.steward.agent.functions.Functions functions) {
        this.functions = functions;
        this.sup = sup;
        this.jobs = jobs;
        this.apps = apps;
        this.engine = engine;
    }

    void bind(ServerBuilder sb) {
        sb.route().get("/v1/services/{name}/logs").build(Blocking.of((ctx, req) -> {
            String name = Requests.name(ctx);
            String instance = ctx.queryParam("instance");
            if (instance != null && !instance.matches("[a-z0-9-]{1,64}")) throw new ApiException(400, "instance: '" + instance + "' is not an instance id");
            var controller = sup.runner(name);
            List<Path> files = controller.logs(instance);
            if (instance != null && files.isEmpty()) throw new ApiException(404, "service " + name + " has no instance '" + instance + "'");
            return respond(ctx, files, () -> controller.logs(instance), instance == null && files.size() > 1);
        }));
        sb.route().get("/v1/apps/{name}/logs").build(Blocking.of((ctx, req) -> {
            String name = Requests.name(ctx);
            if (apps.app(name).isEmpty()) throw new ApiException(404, "no app '" + name + "'");
            return workers(ctx, "app " + name, ctx.queryParam("worker"), w -> engine.logs(name, w));
        }));
        sb.route().get("/v1/functions/{name}/logs").build(Blocking.of((ctx, req) -> {
            String name = Requests.name(ctx);
            if (functions.store().function(name).isEmpty()) throw new ApiException(404, "no function '" + name + "'");
            return workers(ctx, "function " + name, ctx.queryParam("worker"), w -> functions.logs(name, w));
        }));
        sb.route().get("/v1/jobs/{id}/logs").build(Blocking.of((ctx, req) -> {
            String id = ctx.pathParam("id");
            List<Path> one = List.of(Path.of(jobs.get(id).log()));
            return respond(ctx, one, () -> one, false);
        }));
    }

    /** The logs of the workers of {@code whose} (or of one, {@code worker}), each line after its worker's id. */
    private static com.linecorp.armeria.common.HttpResponse workers(com.linecorp.armeria.server.ServiceRequestContext ctx, String whose,
                                                                     String worker, java.util.function.Function<String, List<Path>> logs) throws Exception {
        if (worker != null && !worker.matches(ID)) throw new ApiException(400, "worker: '" + worker + "' is not a worker id");
        List<Path> files = logs.apply(worker);
        if (worker != null && files.isEmpty()) throw new ApiException(404, whose + " has no log of worker '" + worker + "'");
        return respond(ctx, files, () -> logs.apply(worker), worker == null);
    }

    private static com.linecorp.armeria.common.HttpResponse respond(com.linecorp.armeria.server.ServiceRequestContext ctx,
                                                                     List<Path> files, Supplier<List<Path>> relist,
                                                                     boolean prefix) throws Exception {
        Integer tail = Requests.intParam(ctx, "tail", 0, 1_000_000);
        boolean follow = Requests.flag(ctx, "follow");
        StringBuilder head = new StringBuilder();
        for (Path f : files) {
            for (String line : LogFiles.tail(f, tail == null ? 200 : tail)) head.append(label(f, prefix)).append(line).append('\n');
        }
        if (!follow) return com.linecorp.armeria.common.HttpResponse.of(com.linecorp.armeria.common.HttpStatus.OK, TEXT, head.toString());
        Map<Path, LogFollower> followers = new LinkedHashMap<>();
        for (Path f : files) followers.put(f, new LogFollower(f));
        return Streams.open(ctx, TEXT, out -> {
            out.write(HttpData.ofUtf8(head.toString()));
            long relisted = System.nanoTime();
            while (out.isOpen()) {
                boolean any = false;
                for (var e : followers.entrySet()) {
                    byte[] b = e.getValue().poll();
                    if (b.length == 0) continue;
                    any = true;
                    String text = new String(b, java.nio.charset.StandardCharsets.UTF_8);
                    if (prefix) text = text.replaceAll("(?m)^(?=.)", java.util.regex.Matcher.quoteReplacement(label(e.getKey(), true)));
                    if (!out.tryWrite(HttpData.ofUtf8(text))) return;
                }
                if (System.nanoTime() - relisted > 1_000_000_000L) { // logs of instances or workers started since
                    relisted = System.nanoTime();
                    for (Path f : relist.get()) followers.computeIfAbsent(f, LogFollower::fromStart);
                }
                if (!any) Thread.sleep(100);
            }
        });
    }

    private static String label(Path file, boolean prefix) {
        if (!prefix) return "";
        String n = file.getFileName().toString();
        return "[" + n.substring(0, n.length() - ".log".length()) + "] ";
    }
}
