package dev.steward.agent.api;

import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.DecoratingHttpServiceFunction;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import dev.steward.agent.auth.Audit;
import dev.steward.agent.auth.AuditEntry;
import dev.steward.agent.auth.Caller;
import dev.steward.agent.auth.Tokens;
import io.netty.util.AttributeKey;
import java.time.Clock;
import java.util.List;
import java.util.Set;

/**
 * What every API request passes before its route: a Host that names this agent (no DNS rebinding),
 * no foreign Origin (no cross-site requests), a valid bearer token (except the health check and
 * the web UI's files), write rights for a change, a real content type for a body; and, for each
 * change, an audit entry once it is answered.
 */
final class Guard implements DecoratingHttpServiceFunction {
    static final AttributeKey<Caller> CALLER = AttributeKey.valueOf(Guard.class, "caller");
    private static final Set<String> PUBLIC = Set.of("/v1/health", "/", "/ui/");
    private static final Set<String> BODY_TYPES = Set.of("application/json", "application/yaml", "application/x-yaml", "text/yaml",
            "text/x-yaml", "application/octet-stream", "application/gzip", "application/x-gzip", "application/x-tar", "application/zip",
            "application/x-zip-compressed");
    private static final String HOW_TO_GET_ONE = "send 'Authorization: Bearer TOKEN'; an admin makes one with 'steward token create NAME',"
            + " and on the agent's machine its first admin token is in the file admin.token of its data directory";
    private final Tokens tokens;
    private final Audit audit;
    private final Clock clock;
    private final Set<String> names;
    /** Whether the cluster's token is taken only with a node's certificate (a cluster over TLS). */
    private final boolean peersShowCertificates;

    /**
     * {@code names}: the host names (besides IP addresses and localhost) by which clients may reach the API;
     * {@code peersShowCertificates}: the cluster's token is taken only from a connection that showed a certificate
     * the cluster's CA signed (the server's TLS checked it).
     */
    Guard(Tokens tokens, Audit audit, Clock clock, Set<String> names, boolean peersShowCertificates) {
        this.tokens = tokens;
        this.audit = audit;
        this.clock = clock;
        this.names = Set.copyOf(names);
        this.peersShowCertificates = peersShowCertificates;
    }

    @Override
    public HttpResponse serve(HttpService delegate, ServiceRequestContext ctx, HttpRequest req) throws Exception {
        HttpMethod method = req.method();
        boolean change = method != HttpMethod.GET && method != HttpMethod.HEAD && method != HttpMethod.OPTIONS;
        if (change) {
            ctx.log().whenComplete().thenAccept(log -> {
                Caller c = ctx.attr(CALLER);
                int status = log.responseHeaders().status().code();
                audit.record(new AuditEntry(clock.instant(), c == null ? "-" : c.name(), method + " " + ctx.path(), status, AuditEntry.result(status)));
            });
        }
        String host = req.authority();
        if (host == null || !knownHost(host)) {
            return Errors.json(421, "the Host '" + (host == null ? "" : host) + "' does not name this agent",
                    List.of("the API answers to its IP addresses, localhost and the names it was given with --api-name"));
        }
        String origin = req.headers().get(HttpHeaderNames.ORIGIN);
        if (origin != null && !origin.equals((ctx.sessionProtocol().isTls() ? "https://" : "http://") + host)) {
            return Errors.json(403, "cross-origin requests are refused (Origin: " + origin + ")", List.of());
        }
        boolean open = PUBLIC.contains(ctx.path()) || Ui.isUiFile(ctx.path());
        if (!(open && (method == HttpMethod.GET || method == HttpMethod.HEAD))) {
            String auth = req.headers().get(HttpHeaderNames.AUTHORIZATION);
            if (auth == null || !auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
                return unauthorized("this request needs a token", List.of(HOW_TO_GET_ONE));
            }
            Caller caller;
            switch (tokens.check(auth.substring(7).strip())) {
                case Tokens.Check.Valid v -> caller = v.caller();
                case Tokens.Check.Expired e -> {
                    return unauthorized("the token " + e.name() + " expired at " + e.at(), List.of(HOW_TO_GET_ONE));
                }
                case Tokens.Check.Unknown u -> {
                    return unauthorized("the token is not valid (revoked, mistyped or from another agent)", List.of(HOW_TO_GET_ONE));
                }
            }
            if (caller.equals(Tokens.PEER) && peersShowCertificates && !showedCertificate(ctx)) {
                return unauthorized("the cluster's token is taken only from another agent that shows its node certificate",
                        List.of("agents of a cluster over TLS call each other over TLS with --cluster-cert, signed by the cluster's CA"));
            }
            ctx.setAttr(CALLER, caller);
            if (change && !caller.mayWrite()) {
                return Errors.json(403, "the token " + caller.name() + " is read-only", List.of("changes need a user or admin token"));
            }
        }
        if (change && problemWithBody(req) instanceof String problem) return Errors.json(415, problem, List.of());
        return delegate.serve(ctx, req);
    }

    /** Whether the connection showed a client certificate (only those the cluster's CA signed pass the handshake). */
    private static boolean showedCertificate(ServiceRequestContext ctx) {
        javax.net.ssl.SSLSession session = ctx.sslSession();
        if (session == null) return false;
        try {
            return session.getPeerCertificates().length > 0;
        } catch (javax.net.ssl.SSLPeerUnverifiedException none) {
            return false;
        }
    }

    private static HttpResponse unauthorized(String message, List<String> details) {
        HttpResponse r = Errors.json(401, message, details);
        return r.mapHeaders(h -> h.toBuilder().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"steward\"").build());
    }

    /** Refuses bodies whose type a web page could send without asking (text/plain, forms) and those of no known type. */
    private static String problemWithBody(HttpRequest req) {
        MediaType type = req.contentType();
        if (type == null) {
            boolean body = req.headers().contentLength() > 0 || req.headers().contains(HttpHeaderNames.TRANSFER_ENCODING);
            return body
                    ? "a request body needs a Content-Type: application/yaml or application/json for a spec, application/octet-stream for an archive or payload"
                    : null;
        }
        String t = type.subtype().isEmpty() ? type.type() : type.type() + "/" + type.subtype();
        if (BODY_TYPES.contains(t)) return null;
        return "Content-Type " + t + " is not accepted here (expected: application/yaml or application/json for a spec,"
                + " application/octet-stream for an archive or payload)";
    }

    private boolean knownHost(String authority) {
        String host = authority;
        if (host.startsWith("[")) {
            int end = host.indexOf(']');
            return end > 0; // an IPv6 literal
        }
        int colon = host.lastIndexOf(':');
        if (colon >= 0) host = host.substring(0, colon);
        host = host.toLowerCase(java.util.Locale.ROOT);
        if (host.equals("localhost") || host.endsWith(".localhost") || names.contains(host)) return true;
        return host.matches("\\d{1,3}(\\.\\d{1,3}){3}");
    }

    /** The caller of a request that passed the guard. */
    static Caller caller(ServiceRequestContext ctx) {
        Caller c = ctx.attr(CALLER);
        if (c == null) throw new IllegalStateException("no caller: the route is not behind the guard");
        return c;
    }
}
