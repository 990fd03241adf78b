package dev.steward.agent.gateway;

import com.linecorp.armeria.client.ClientFactory;
import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.ServiceRequestContext;
import dev.steward.agent.Json;
import dev.steward.agent.supervisor.ServiceController;
import dev.steward.agent.supervisor.Supervisor;
import dev.steward.model.PolicyKind;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The HTTP gateway: finds the service by host or path, picks the ready instance with the fewest
 * requests in flight, and streams the request and response through. A service with no ready
 * instance that may start on demand is referenced (which starts it) and the request is held until
 * an instance is ready, up to {@code hold}; then 503 with a reason and Retry-After.
 */
public final class Gateway implements AutoCloseable {
    public static final String INSTANCE_HEADER = "x-steward-instance";
    private final Supervisor sup;
    private final String domain;
    private final Duration hold;
    private final Server server;
    private final ClientFactory factory = ClientFactory.builder().idleTimeoutMillis(60_000).build();
    private final Map<Integer, WebClient> clients = new ConcurrentHashMap<>();
    private final InFlight inFlight;
    /** Requests held per service while it starts, bounded by {@link #MAX_HELD}. */
    private final Map<String, AtomicInteger> held = new ConcurrentHashMap<>();
    public static final int MAX_HELD = 10_000;

    /** What the gateway reports of each request: to metrics and to the access log. */
    public interface Observer {
        void served(String service, ServiceRequestContext ctx, HttpRequest req, int status, Duration latency, String instance);
    }

    private final Observer observer;
    private final Duration upstreamTimeout;

    public Gateway(InetSocketAddress address, Supervisor sup, InFlight inFlight, String domain, Duration hold, Duration upstreamTimeout,
                   Observer observer) {
        this.sup = sup;
        this.inFlight = inFlight;
        this.domain = domain;
        this.hold = hold;
        this.upstreamTimeout = upstreamTimeout;
        this.observer = observer;
        this.server = Server.builder().http(address)
                .requestTimeoutMillis(0)
                .maxRequestLength(0)
                .gracefulShutdownTimeoutMillis(0, 500)
                .connectionDrainDurationMicros(0)
                .serviceUnder("/", (ctx, req) -> route(ctx, req))
                .build();
        server.start().join();
    }

    public int port() {
        return server.activeLocalPort();
    }

    private HttpResponse route(ServiceRequestContext ctx, HttpRequest req) {
        List<Router.Target> targets = targets();
        Optional<Router.Match> match = Router.match(targets, req.authority(), req.path(), domain);
        if (match.isEmpty()) return observed("", ctx, req, error(HttpStatus.NOT_FOUND, "no service answers " + req.path(), null), "");
        ServiceController c;
        try {
            c = sup.controller(match.get().service());
        } catch (RuntimeException e) {
            return error(HttpStatus.NOT_FOUND, "no service '" + match.get().service() + "'", null);
        }
        Optional<ServiceController.Endpoint> ready = pick(c, null);
        if (ready.isPresent()) {
            // For on-demand and lingering services every request is a reference: they stay up while used.
            boolean reference = referencedByRequests(c);
            if (reference) c.use();
            return forward(ctx, req, match.get(), ready.get(), reference ? c : null, c);
        }
        if (!startsOnDemand(c)) {
            return observed(c.name(), ctx, req, error(HttpStatus.SERVICE_UNAVAILABLE, "service " + c.name() + " has no instance ready ("
                    + c.currentState().wire() + ")", "1"), "");
        }
        // Scale from zero: a reference starts it; the request waits on a virtual thread, not on the event loop,
        // in a bounded queue per service.
        AtomicInteger waiting = held.computeIfAbsent(c.name(), k -> new AtomicInteger());
        if (waiting.incrementAndGet() > MAX_HELD) {
            waiting.decrementAndGet();
            return observed(c.name(), ctx, req, error(HttpStatus.SERVICE_UNAVAILABLE, "service " + c.name() + " is starting and "
                    + MAX_HELD + " requests already wait for it", "1"), "");
        }
        CompletableFuture<HttpResponse> later = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            c.use();
            Optional<ServiceController.Endpoint> e = c.awaitReady(hold);
            waiting.decrementAndGet();
            if (e.isEmpty()) {
                c.release();
                later.complete(observed(c.name(), ctx, req, error(HttpStatus.SERVICE_UNAVAILABLE, "service " + c.name()
                        + " did not become ready within " + hold.toSeconds() + "s", "5"), ""));
            } else {
                later.complete(forward(ctx, req, match.get(), e.get(), c, c));
            }
        });
        return HttpResponse.of(later);
    }

    private record Table(long version, List<Router.Target> targets) {}

    private volatile Table table = new Table(-1, List.of());

    /** The routing table, rebuilt only when a spec changed. */
    private List<Router.Target> targets() {
        Table t = table;
        long v = sup.version();
        if (t.version() != v) {
            t = new Table(v, sup.controllers().stream().map(c -> new Router.Target(c.name(), c.spec().route())).toList());
            table = t;
        }
        return t.targets();
    }

    private static boolean referencedByRequests(ServiceController c) {
        PolicyKind p = c.spec().policy();
        return p == PolicyKind.ON_DEMAND || p == PolicyKind.LINGERING;
    }

    private static boolean startsOnDemand(ServiceController c) {
        PolicyKind p = c.spec().policy();
        return (p == PolicyKind.ON_DEMAND || p == PolicyKind.LINGERING || p == PolicyKind.DYNAMIC) && !c.spec().isPingOnly()
                && !c.currentState().wire().equals("disabled");
    }

    /** The ready instance with the fewest requests in flight through this gateway, other than {@code not}. */
    private Optional<ServiceController.Endpoint> pick(ServiceController c, String not) {
        return c.readyEndpoints().stream().filter(e -> !e.instance().equals(not))
                .min(java.util.Comparator.comparingInt(e -> inFlight.count(e.instance())));
    }

    /** Reports a response once it is complete (its status is known from its headers). */
    private HttpResponse observed(String service, ServiceRequestContext ctx, HttpRequest req, HttpResponse res, String instance) {
        long t0 = System.nanoTime();
        int[] status = {0};
        HttpResponse mapped = res.mapHeaders(h -> {
            if (!h.status().isInformational()) status[0] = h.status().code();
            return h;
        });
        mapped.whenComplete().handle((v, err) -> {
            observer.served(service, ctx, req, status[0] == 0 ? 499 : status[0], Duration.ofNanos(System.nanoTime() - t0), instance);
            return null;
        });
        return mapped;
    }

    /**
     * Streams the request to the instance and its response back; {@code referenced} is released when the
     * response ends. A refused connection is retried once on another ready instance for idempotent
     * methods (nothing was sent); an upstream that does not answer in time gives 504.
     */
    private HttpResponse forward(ServiceRequestContext ctx, HttpRequest req, Router.Match m, ServiceController.Endpoint e,
                                 ServiceController referenced, ServiceController c) {
        HttpResponse first = send(ctx, req, m, e, referenced);
        HttpResponse result = !retryable(req) ? first : first.recover(err -> {
            Optional<ServiceController.Endpoint> other = pick(c, e.instance());
            return other.isPresent() ? send(ctx, HttpRequest.of(req.headers()), m, other.get(), null) : HttpResponse.ofFailure(err);
        });
        return observed(m.service(), ctx, req, result.recover(err -> gatewayError(m, e, err)), e.instance());
    }

    /** An idempotent method with no body can be sent again as it was. */
    private static boolean retryable(HttpRequest req) {
        var h = req.headers();
        return com.linecorp.armeria.common.HttpMethod.idempotentMethods().contains(req.method())
                && h.contentLength() <= 0 && !h.contains(HttpHeaderNames.TRANSFER_ENCODING);
    }

    private HttpResponse send(ServiceRequestContext ctx, HttpRequest req, Router.Match m, ServiceController.Endpoint e,
                              ServiceController referenced) {
        WebClient client = clients.computeIfAbsent(e.port(), p -> WebClient.builder("http://" + e.host() + ":" + p).factory(factory)
                .responseTimeout(upstreamTimeout).maxResponseLength(0).build());
        String forwardedFor = ((InetSocketAddress) ctx.remoteAddress()).getAddress().getHostAddress();
        String prior = req.headers().get("x-forwarded-for");
        RequestHeaders headers = req.headers().toBuilder()
                .path(m.path())
                .authority(e.host() + ":" + e.port())
                .set("x-forwarded-for", prior == null ? forwardedFor : prior + ", " + forwardedFor)
                .set("x-forwarded-proto", "http")
                .set("x-forwarded-host", req.authority() == null ? "" : req.authority())
                .build();
        inFlight.begin(e.instance());
        HttpResponse res = client.execute(req.withHeaders(headers))
                .mapHeaders(h -> h.toBuilder().set(INSTANCE_HEADER, e.instance()).build());
        res.whenComplete().handle((v, err) -> {
            inFlight.end(e.instance());
            if (referenced != null) referenced.release();
            return null;
        });
        return res.recover(err -> switch (peel(err)) {
            case com.linecorp.armeria.client.ResponseTimeoutException t -> error(HttpStatus.GATEWAY_TIMEOUT, "instance " + e.instance()
                    + " of " + m.service() + " did not answer within " + upstreamTimeout.toSeconds() + "s", null);
            // Not sent at all: the caller may retry it elsewhere, or turn it into a 502.
            case com.linecorp.armeria.client.UnprocessedRequestException u -> HttpResponse.ofFailure(u);
            default -> gatewayError(m, e, err);
        });
    }

    /** The exception under CompletionException and ExecutionException wrappers. */
    private static Throwable peel(Throwable t) {
        Throwable at = t;
        while ((at instanceof java.util.concurrent.CompletionException || at instanceof java.util.concurrent.ExecutionException)
                && at.getCause() != null) {
            at = at.getCause();
        }
        return at;
    }

    private static HttpResponse gatewayError(Router.Match m, ServiceController.Endpoint e, Throwable err) {
        Throwable peeled = peel(err);
        Throwable cause = peeled instanceof com.linecorp.armeria.client.UnprocessedRequestException && peeled.getCause() != null
                ? peeled.getCause() : peeled;
        return error(HttpStatus.BAD_GATEWAY, "instance " + e.instance() + " of " + m.service() + " did not answer: "
                + cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : " (" + cause.getMessage() + ")"), null);
    }

    static HttpResponse error(HttpStatus status, String reason, String retryAfter) {
        com.linecorp.armeria.common.ResponseHeadersBuilder h = ResponseHeaders.builder(status).contentType(MediaType.JSON_UTF_8);
        if (retryAfter != null) h.set(HttpHeaderNames.RETRY_AFTER, retryAfter);
        return HttpResponse.of(h.build(), com.linecorp.armeria.common.HttpData.ofUtf8(
                Json.write(Map.of("error", reason, "details", List.of()))));
    }

    @Override
    public void close() {
        try {
            server.stop().get(200, java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (Exception ignored) {
            // winding down in the background
        }
        factory.closeAsync();
    }
}
