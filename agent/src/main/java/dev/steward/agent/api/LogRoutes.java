package dev.steward.agent.api;

import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.ServerBuilder;
import dev.steward.agent.apps.AppStore;
import dev.steward.agent.engine.Engine;
import dev.steward.agent.logs.LogFiles;
import dev.steward.agent.logs.LogFollower;
import dev.steward.agent.logs.Merge;
import dev.steward.agent.logs.Stamp;
import dev.steward.agent.job.Jobs;
import dev.steward.agent.service.Registry;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code /v1/services/{name}/logs}, {@code /v1/apps/{name}/logs} (its workers') and {@code
 * /v1/jobs/{id}/logs}: the last lines merged by time, then (with follow) what is appended, new
 * instances' and workers' logs included as they appear.
 */
final class LogRoutes {
    private static final MediaType TEXT = MediaType.PLAIN_TEXT_UTF_8;
    private static final String ID = "[A-Za-z0-9-]{1,64}";
    private final Registry sup;
    private final Jobs jobs;
    private final AppStore apps;
    private final Engine engine;

    private final dev.steward.agent.functions.Functions functions;

    private final java.time.Clock clock;

    LogRoutes(Registry sup, Jobs jobs, AppStore apps, Engine engine, dev.steward.agent.functions.Functions functions, java.time.Clock clock) {
        this.clock = clock;
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
    private com.linecorp.armeria.common.HttpResponse workers(com.linecorp.armeria.server.ServiceRequestContext ctx, String whose,
                                                                     String worker, java.util.function.Function<String, List<Path>> logs) throws Exception {
        if (worker != null && !worker.matches(ID)) throw new ApiException(400, "worker: '" + worker + "' is not a worker id");
        List<Path> files = logs.apply(worker);
        if (worker != null && files.isEmpty()) throw new ApiException(404, whose + " has no log of worker '" + worker + "'");
        return respond(ctx, files, () -> logs.apply(worker), worker == null);
    }

    /**
     * The logs' last lines merged by their stamps ({@code tail} over the merge, {@code since} a duration
     * back or a time), each after its stamp with {@code timestamps} and after its file's id with
     * {@code prefix}; then, with {@code follow}, what is appended, each round's lines in time order.
     */
    private com.linecorp.armeria.common.HttpResponse respond(com.linecorp.armeria.server.ServiceRequestContext ctx,
                                                              List<Path> files, Supplier<List<Path>> relist,
                                                              boolean prefix) throws Exception {
        Integer tail = Requests.intParam(ctx, "tail", 0, 1_000_000);
        boolean follow = Requests.flag(ctx, "follow");
        boolean timestamps = Requests.flag(ctx, "timestamps");
        java.time.Instant since = Requests.since(ctx, "since", clock);
        int n = tail == null ? 200 : tail;
        List<Merge.Source> sources = new java.util.ArrayList<>();
        // with since, the last lines of each log are not enough: as much as tail reads (the last 4 MiB)
        for (Path f : files) sources.add(new Merge.Source(id(f), LogFiles.tail(f, since == null ? n : Integer.MAX_VALUE)));
        String head = text(Merge.of(sources, since, n), prefix, timestamps);
        if (!follow) return com.linecorp.armeria.common.HttpResponse.of(com.linecorp.armeria.common.HttpStatus.OK, TEXT, head);
        Map<Path, Lines> followers = new LinkedHashMap<>();
        for (Path f : files) followers.put(f, new Lines(new LogFollower(f)));
        return Streams.open(ctx, TEXT, out -> {
            out.write(HttpData.ofUtf8(head));
            long relisted = System.nanoTime();
            while (out.isOpen()) {
                List<Merge.Source> round = new java.util.ArrayList<>();
                for (var e : followers.entrySet()) {
                    List<String> got = e.getValue().poll();
                    if (!got.isEmpty()) round.add(new Merge.Source(id(e.getKey()), got));
                }
                if (!round.isEmpty() && !out.tryWrite(HttpData.ofUtf8(text(Merge.of(round, null, Integer.MAX_VALUE), prefix, timestamps)))) return;
                if (System.nanoTime() - relisted > 1_000_000_000L) { // logs of instances or workers started since
                    relisted = System.nanoTime();
                    for (Path f : relist.get()) followers.computeIfAbsent(f, p -> new Lines(LogFollower.fromStart(p)));
                }
                if (round.isEmpty()) Thread.sleep(100);
            }
        });
    }

    private static String text(List<Merge.Entry> entries, boolean prefix, boolean timestamps) {
        StringBuilder sb = new StringBuilder();
        for (Merge.Entry e : entries) {
            if (timestamps && e.time() != null) sb.append(Stamp.prefix(e.time()));
            if (prefix) sb.append('[').append(e.label()).append("] ");
            sb.append(e.text()).append('\n');
        }
        return sb.toString();
    }

    /** A followed log's whole lines (a line is kept back until its newline comes). */
    private static final class Lines {
        private final LogFollower follower;
        private String partial = "";

        Lines(LogFollower follower) {
            this.follower = follower;
        }

        List<String> poll() throws java.io.IOException {
            byte[] b = follower.poll();
            if (b.length == 0) return List.of();
            String text = partial + new String(b, java.nio.charset.StandardCharsets.UTF_8);
            int end = text.lastIndexOf('\n');
            partial = text.substring(end + 1);
            return end < 0 ? List.of() : List.of(text.substring(0, end).split("\n", -1));
        }
    }

    private static String id(Path file) {
        String n = file.getFileName().toString();
        return n.endsWith(".log") ? n.substring(0, n.length() - ".log".length()) : n;
    }
}
