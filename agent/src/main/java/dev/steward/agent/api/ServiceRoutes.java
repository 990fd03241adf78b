package dev.steward.agent.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.server.ServerBuilder;
import dev.steward.agent.Json;
import dev.steward.agent.service.Registry;
import dev.steward.model.InvalidSpecException;
import dev.steward.model.SpecParser;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** {@code /v1/services}: register, apply, modify, unregister, start, stop, use, release, query; the last hour's series. */
final class ServiceRoutes {
    private final Registry sup;
    private final dev.steward.agent.metrics.Series series;
    /** The open instances of services with parts: shown with them, and such a service is not unregistered while it has any. */
    private final dev.steward.agent.dynamic.Dynamics dynamics;

    ServiceRoutes(Registry sup, dev.steward.agent.metrics.Series series, dev.steward.agent.dynamic.Dynamics dynamics) {
        this.sup = sup;
        this.series = series;
        this.dynamics = dynamics;
    }

    void bind(ServerBuilder sb) {
        String one = "/v1/services/{name}";
        sb.route().get("/v1/services").build(Blocking.of((ctx, req) -> Requests.ok(sup.views().stream().map(this::shown).toList())));
        sb.route().post("/v1/services").build(Blocking.of((ctx, req) -> {
            boolean run = Requests.flag(ctx, "run");
            SpecParser.Parsed p = Requests.spec(req);
            mayRunAs(ctx, p);
            return Requests.json(HttpStatus.CREATED, sup.register(p, Requests.caller(ctx).name(), run));
        }));
        sb.route().get(one).build(Blocking.of((ctx, req) -> Requests.ok(shown(sup.view(Requests.name(ctx))))));
        sb.route().put(one).build(Blocking.of((ctx, req) -> {
            String name = Requests.name(ctx);
            SpecParser.Parsed p = Requests.spec(req);
            requireSameName(name, p);
            if (sup.has(name)) mayChange(ctx, name);
            mayRunAs(ctx, p);
            return Requests.ok(sup.apply(p, Requests.caller(ctx).name()));
        }));
        sb.route().patch(one).build(Blocking.of((ctx, req) -> {
            String name = Requests.name(ctx);
            mayChange(ctx, name);
            List<String> sets = Requests.all(ctx, "set");
            if (sets.isEmpty()) {
                SpecParser.Parsed p = Requests.spec(req);
                requireSameName(name, p);
                mayRunAs(ctx, p);
                return Requests.ok(sup.modify(name, p));
            }
            Requests.noBody(req);
            SpecParser.Parsed p = withSets(name, sets);
            mayRunAs(ctx, p);
            return Requests.ok(sup.modify(name, p));
        }));
        sb.route().delete(one).build(Blocking.of((ctx, req) -> {
            String name = Requests.name(ctx);
            mayChange(ctx, name);
            int n = dynamics.instances(name).size();
            if (n > 0) throw new ApiException(409, "service " + name + " has " + n + " open instance" + (n == 1 ? "" : "s") + "; close them first (steward service instances " + name + ")");
            sup.unregister(name, Duration.ofSeconds(30));
            return Requests.ok(Map.of("name", name, "unregistered", true));
        }));
        sb.route().post(one + "/start").build(Blocking.of((ctx, req) -> {
            String name = Requests.name(ctx);
            mayChange(ctx, name);
            Integer n = Requests.intParam(ctx, "instances", 0, dev.steward.model.Instances.LIMIT);
            sup.runner(name).start(n);
            return Requests.ok(sup.view(name));
        }));
        sb.route().post(one + "/stop").build(Blocking.of((ctx, req) -> {
            String name = Requests.name(ctx);
            mayChange(ctx, name);
            var before = sup.view(name);
            if (before.state().equals("stopped") || (before.state().equals("disabled") && before.instances().isEmpty())) {
                throw new ApiException(409, "service " + name + " is already " + before.state());
            }
            var controller = sup.runner(name);
            sup.stop(name);
            var after = controller.view(); // a custom service may already be forgotten by now

            return Requests.ok(Map.of("name", name, "was", before.state(), "state", after.state(), "service", after));
        }));
        sb.route().post(one + "/pause").build(Blocking.of((ctx, req) -> {
            String name = Requests.name(ctx);
            mayChange(ctx, name);
            sup.runner(name).pause();
            return Requests.ok(sup.view(name));
        }));
        sb.route().post(one + "/resume").build(Blocking.of((ctx, req) -> {
            String name = Requests.name(ctx);
            mayChange(ctx, name);
            sup.runner(name).resume();
            return Requests.ok(sup.view(name));
        }));
        sb.route().post(one + "/use").build(Blocking.of((ctx, req) -> {
            String name = Requests.name(ctx);
            sup.runner(name).useNow();
            return Requests.ok(sup.view(name));
        }));
        sb.route().post(one + "/release").build(Blocking.of((ctx, req) -> {
            String name = Requests.name(ctx);
            var c = sup.runner(name);
            if (c.view().references() == 0) throw new ApiException(409, "service " + name + " has no references to release");
            c.releaseNow();
            return Requests.ok(sup.view(name));
        }));
        sb.route().get(one + "/series").build(Blocking.of((ctx, req) -> {
            String name = Requests.name(ctx);
            Integer seconds = Requests.intParam(ctx, "seconds", 1, dev.steward.agent.metrics.SeriesRing.SECONDS);
            sup.view(name); // 404 for a service that is not registered
            return Requests.ok(series.window(name, seconds == null ? dev.steward.agent.metrics.SeriesRing.SECONDS : seconds));
        }));
        sb.route().get(one + "/instances").build(Blocking.of((ctx, req) -> Requests.ok(sup.view(Requests.name(ctx)).instances())));
    }

    /**
     * A service's view as the API shows it: a service with parts runs nothing of its own, so it is shown with its
     * open instances, its state the lowest of theirs (its own while none is open).
     */
    private dev.steward.agent.service.ServiceView shown(dev.steward.agent.service.ServiceView v) {
        return dynamics.opened(v.name()).map(o -> o.lowest() == null
                ? v.withOpened(o.instances(), v.state(), "no open instance (steward service open " + v.name() + " opens one)")
                : v.withOpened(o.instances(), o.lowest(), o.instances().size() + " open instance" + (o.instances().size() == 1 ? "" : "s")))
                .orElse(v);
    }

    /** Refuses unless the caller owns, administers or may administer every service. */
    private void mayChange(com.linecorp.armeria.server.ServiceRequestContext ctx, String name) {
        var r = sup.runner(name);
        dev.steward.agent.auth.Rights.requireChange(Requests.caller(ctx), "service " + name, r.record().owner(), r.spec().administrators());
    }

    /** Refuses a spec that would run as root unless the agent allows it and the caller is an admin. */
    private void mayRunAs(com.linecorp.armeria.server.ServiceRequestContext ctx, SpecParser.Parsed p) {
        sup.context().runAs().check(p.spec(), Requests.caller(ctx).admin());
    }

    private static void requireSameName(String name, SpecParser.Parsed p) {
        if (!p.spec().name().equals(name)) {
            throw new InvalidSpecException("name", "'" + p.spec().name() + "' does not match the URL's '" + name + "'");
        }
    }

    private SpecParser.Parsed withSets(String name, List<String> sets) {
        ObjectNode tree = (ObjectNode) Json.tree(sup.runner(name).record().spec());
        for (String s : sets) {
            int eq = s.indexOf('=');
            if (eq <= 0) throw new ApiException(400, "set: '" + s + "' (expected: key=value)");
            String key = s.substring(0, eq);
            if (key.equals("name")) throw new ApiException(400, "set: a service cannot be renamed");
            SpecParser.set(tree, key, SpecParser.scalar(s.substring(eq + 1)));
        }
        String dir = tree.path("dir").asText(null);
        return SpecParser.fromTree(tree, dir == null ? null : Path.of(dir));
    }
}
