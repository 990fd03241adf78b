package dev.steward.agent.api;

import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.ServerBuilder;
import dev.steward.agent.logs.LogFiles;
import dev.steward.agent.logs.LogFollower;
import dev.steward.agent.supervisor.Jobs;
import dev.steward.agent.supervisor.Supervisor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** {@code /v1/services/{name}/logs} and {@code /v1/jobs/{id}/logs}: the last lines, then (with follow) what is appended. */
final class LogRoutes {
    private static final MediaType TEXT = MediaType.PLAIN_TEXT_UTF_8;
    private final Supervisor sup;
    private final Jobs jobs;

    LogRoutes(Supervisor sup, Jobs jobs) {
        this.sup = sup;
        this.jobs = jobs;
    }

    void bind(ServerBuilder sb) {
        sb.route().get("/v1/services/{name}/logs").build(Blocking.of((ctx, req) -> {
            String name = Requests.name(ctx);
            String instance = ctx.queryParam("instance");
            if (instance != null && !instance.matches("[a-z0-9-]{1,64}")) throw new ApiException(400, "instance: '" + instance + "' is not an instance id");
            List<Path> files = sup.controller(name).logs(instance);
            if (instance != null && files.isEmpty()) throw new ApiException(404, "service " + name + " has no instance '" + instance + "'");
            return respond(ctx, files, files.size() > 1);
        }));
        sb.route().get("/v1/jobs/{id}/logs").build(Blocking.of((ctx, req) -> {
            String id = ctx.pathParam("id");
            return respond(ctx, List.of(Path.of(jobs.get(id).log())), false);
        }));
    }

    private static com.linecorp.armeria.common.HttpResponse respond(com.linecorp.armeria.server.ServiceRequestContext ctx,
                                                                     List<Path> files, boolean prefix) throws Exception {
        Integer tail = Requests.intParam(ctx, "tail", 0, 1_000_000);
        boolean follow = Requests.flag(ctx, "follow");
        StringBuilder head = new StringBuilder();
        for (Path f : files) {
            for (String line : LogFiles.tail(f, tail == null ? 200 : tail)) head.append(label(f, prefix)).append(line).append('\n');
        }
        if (!follow) return com.linecorp.armeria.common.HttpResponse.of(com.linecorp.armeria.common.HttpStatus.OK, TEXT, head.toString());
        List<LogFollower> followers = new ArrayList<>();
        for (Path f : files) followers.add(new LogFollower(f));
        return Streams.open(ctx, TEXT, out -> {
            out.write(HttpData.ofUtf8(head.toString()));
            while (out.isOpen()) {
                boolean any = false;
                for (int i = 0; i < followers.size(); i++) {
                    byte[] b = followers.get(i).poll();
                    if (b.length == 0) continue;
                    any = true;
                    String text = new String(b, java.nio.charset.StandardCharsets.UTF_8);
                    if (prefix) text = text.replaceAll("(?m)^(?=.)", java.util.regex.Matcher.quoteReplacement(label(files.get(i), true)));
                    if (!out.tryWrite(HttpData.ofUtf8(text))) return;
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
