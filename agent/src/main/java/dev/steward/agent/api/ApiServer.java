package dev.steward.agent.api;

import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.ServerBuilder;
import dev.steward.agent.events.EventBus;
import dev.steward.agent.metrics.Metrics;
import dev.steward.agent.job.Jobs;
import dev.steward.agent.service.Registry;
import dev.steward.agent.tls.TlsPair;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.function.Supplier;

/** The agent's HTTP API and metrics on one Armeria server. */
public final class ApiServer implements AutoCloseable {
    /** The largest request body the API takes: specs are small. */
    public static final int MAX_BODY = 1 << 20;
    private final Server server;
    /** The port bound, kept: once the server stops it has no active port to ask (a view asked meanwhile answered 500). */
    private final int port;

    /**
     * Loads and initialises the server library's classes (its flags, its builder), which takes a good part of
     * the API's start and needs nothing of the agent's: the agent has it done on another thread while it
     * opens its store and loads its services.
     */
    public static void prepare() {
        Server.builder();
    }

    /** Serves on {@code address}: HTTPS with {@code tls}, else plain HTTP (when {@code tls} is null). */
    public ApiServer(InetSocketAddress address, TlsPair tls, Registry sup, Jobs jobs, dev.steward.agent.apps.AppStore apps,
                     dev.steward.agent.engine.Engine engine, dev.steward.agent.functions.Functions functions, java.nio.file.Path uploads,
                     EventBus bus, Metrics metrics, Supplier<Object> agentInfo, dev.steward.agent.cluster.Nodes nodes,
                     java.util.concurrent.CompletableFuture<Void> loaded, Access access,
                     dev.steward.agent.dynamic.Dynamics dynamics) {
        ServerBuilder sb = Server.builder();
        if (tls == null) sb.http(address);
        else sb.https(address).tls(tls.key(), tls.chain());
        if (tls != null && !access.clusterCa().isEmpty()) {
            // other agents show their node's certificate, signed by the cluster's CA; other clients show none
            var ca = access.clusterCa().toArray(java.security.cert.X509Certificate[]::new);
            sb.tlsCustomizer(b -> b.clientAuth(io.netty.handler.ssl.ClientAuth.OPTIONAL).trustManager(ca));
        }
        sb.maxRequestLength(MAX_BODY)
                .requestTimeout(Duration.ofSeconds(60))
                .gracefulShutdownTimeoutMillis(0, 500)
                .connectionDrainDurationMicros(0)
                .errorHandler(new Errors())
                .decorator(new StoreGate(access.store()))
                // requests that come while the agent still loads its services wait for it (a moment)
                .decorator((delegate, ctx, req) -> loaded.isDone() ? delegate.serve(ctx, req)
                        : HttpResponse.of(loaded.thenApply(v -> serve(delegate, ctx, req))))
                // outermost: host, origin, token, rights to change, content type; the audit of each change
                .decorator(new Guard(access.tokens(), access.audit(), access.clock(), access.names(), !access.clusterCa().isEmpty()));
        new AuthRoutes(access.tokens(), access.audit(), access.clock()).bind(sb);
        new ServiceRoutes(sup, metrics.series(), dynamics).bind(sb);
        new JobRoutes(jobs, sup.context().runAs()).bind(sb);
        Uploads archives = new Uploads(new dev.steward.agent.spool.Intake(uploads, apps.spoolLimits()));
        new AppRoutes(apps, engine, archives).bind(sb);
        new AppCalls(engine, apps).bind(sb);
        new DynamicRoutes(dynamics, sup, archives).bind(sb);
        new FunctionRoutes(functions, archives).bind(sb);
        new LogRoutes(sup, jobs, apps, engine, functions, access.clock()).bind(sb);
        new EventRoutes(bus).bind(sb);
        sb.route().get("/v1/agent").build(Blocking.of((ctx, req) -> Requests.ok(agentInfo.get())));
        // another agent's hello at its join: whether the token it showed is the cluster's
        sb.route().get("/v1/cluster/hello").build(Blocking.of((ctx, req) ->
                Requests.ok(java.util.Map.of("peer", Requests.caller(ctx).equals(dev.steward.agent.auth.Tokens.PEER)))));
        sb.route().get("/v1/cluster/nodes").build(Blocking.of((ctx, req) -> Requests.ok(nodes.nodes())));
        sb.route().post("/v1/cluster/nodes/:name/drain").build(Blocking.of((ctx, req) -> {
            dev.steward.agent.auth.Rights.requireAdmin(Requests.caller(ctx), "draining a node");
            return Requests.ok(nodes.drain(Requests.name(ctx)));
        }));
        sb.route().post("/v1/cluster/nodes/:name/undrain").build(Blocking.of((ctx, req) -> {
            dev.steward.agent.auth.Rights.requireAdmin(Requests.caller(ctx), "undraining a node");
            return Requests.ok(nodes.undrain(Requests.name(ctx)));
        }));
        sb.route().get("/v1/openapi.json").build((ctx, req) -> HttpResponse.of(HttpStatus.OK, MediaType.JSON_UTF_8, OpenApi.json()));
        sb.route().get("/metrics").build((ctx, req) ->
                HttpResponse.of(HttpStatus.OK, MediaType.parse("text/plain; version=0.0.4; charset=utf-8"), metrics.scrape()));
        new Ui().bind(sb);
        server = sb.build();
        server.start().join();
        port = server.activePorts().values().iterator().next().localAddress().getPort();
    }

    /**
     * Who may call: the tokens, where changes are recorded, the clock, and the host names (besides
     * IP addresses and localhost) by which clients reach the API; the store, whose absence refuses changes;
     * and in a cluster over TLS its CA, whose signature the other agents show (empty: none asked for).
     */
    public record Access(dev.steward.agent.auth.Tokens tokens, dev.steward.agent.auth.Audit audit, java.time.Clock clock,
                         java.util.Set<String> names, dev.steward.agent.store.Store store, java.util.List<java.security.cert.X509Certificate> clusterCa) {
        public Access {
            clusterCa = java.util.List.copyOf(clusterCa);
        }

        /** Without a cluster's CA. */
        public Access(dev.steward.agent.auth.Tokens tokens, dev.steward.agent.auth.Audit audit, java.time.Clock clock,
                      java.util.Set<String> names, dev.steward.agent.store.Store store) {
            this(tokens, audit, clock, names, store, java.util.List.of());
        }
    }

    private static HttpResponse serve(com.linecorp.armeria.server.HttpService delegate, com.linecorp.armeria.server.ServiceRequestContext ctx,
                                      com.linecorp.armeria.common.HttpRequest req) {
        try {
            return delegate.serve(ctx, req);
        } catch (Exception e) {
            return Errors.of(e);
        }
    }

    /** A route of the API: its methods and its path pattern as Armeria writes it ({@code /v1/services/:name}). */
    public record RouteInfo(java.util.List<String> methods, String pattern) {}

    /** Every route the API serves, from the server's own table (what the fuzzing tests go through). */
    public java.util.List<RouteInfo> routes() {
        return server.serviceConfigs().stream()
                .map(c -> new RouteInfo(c.route().methods().stream().map(Enum::name).sorted().toList(), c.route().patternString()))
                .distinct().toList();
    }

    /** The port bound (Armeria's {@code activeLocalPort()} finds only ports on loopback and wildcard addresses). */
    public int port() {
        return port;
    }

    @Override
    public void close() {
        // Stopping closes the listener at once; Netty's event loops then take about two seconds to wind
        // down, which nothing needs to wait for.
        try {
            server.stop().get(200, java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            // still winding down in the background
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException e) {
            System.err.println("steward: api server stop: " + e.getCause());
        }
    }
}
