package dev.steward.agent.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.ContentTooLargeException;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpHeaders;
import com.linecorp.armeria.server.ServerErrorHandler;
import com.linecorp.armeria.server.ServiceConfig;
import com.linecorp.armeria.server.ServiceRequestContext;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpData;
import dev.steward.agent.errors.ConflictException;
import dev.steward.agent.errors.NotFoundException;
import dev.steward.agent.spool.UploadRefusedException;
import dev.steward.model.InvalidSpecException;
import dev.steward.model.Problem;
import java.util.List;

/** Turns every failure into a JSON error: 4xx for the caller's mistakes, 5xx only for the agent's own. */
final class Errors implements ServerErrorHandler {

    static HttpResponse of(Throwable e) {
        Throwable t = e;
        while ((t instanceof java.util.concurrent.CompletionException || t instanceof java.util.concurrent.ExecutionException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        return switch (t) {
            case com.linecorp.armeria.server.HttpStatusException h ->
                    render(null, h.httpStatus(), null, limit(null, h.getCause())).toHttpResponse();
            case com.linecorp.armeria.common.ResponseCompleteException c -> HttpResponse.ofFailure(c);
            case com.linecorp.armeria.common.ClosedSessionException c -> HttpResponse.ofFailure(c);
            case ApiException a -> json(a.status(), a.getMessage(), a.details());
            case InvalidSpecException s -> json(400, "invalid spec", s.problems().stream().map(Problem::toString).toList());
            case NotFoundException n -> json(404, n.getMessage(), List.of());
            case ConflictException c -> json(409, c.getMessage(), List.of());
            case dev.steward.agent.errors.ForbiddenException f -> json(403, f.getMessage(), List.of());
            case UploadRefusedException u -> switch (u.reason()) {
                case TOO_LARGE -> json(413, u.getMessage(), List.of());
                // uploads finish in seconds to minutes: a client may come back soon
                case BUSY -> json(503, u.getMessage(), List.of()).mapHeaders(h -> h.toBuilder().set("retry-after", "5").build());
            };
            case dev.steward.agent.store.StoreUnavailableException u -> StoreGate.refuse(u.getMessage());
            case ContentTooLargeException c -> json(413, "the request body is too large", List.of("limit: " + c.maxContentLength() + " bytes"));
            case IllegalArgumentException i -> json(400, i.getMessage(), List.of());
            default -> {
                System.err.println("steward: internal error: " + t);
                yield json(500, "internal error: " + t.getMessage(), List.of());
            }
        };
    }

    static HttpResponse json(int status, String message, List<String> details) {
        ObjectNode body = ApiJson.object();
        body.put("error", message);
        ArrayNode d = body.putArray("details");
        details.forEach(d::add);
        return HttpResponse.of(HttpStatus.valueOf(status), MediaType.JSON_UTF_8, ApiJson.write(body));
    }

    @Override
    public HttpResponse onServiceException(ServiceRequestContext ctx, Throwable cause) {
        return of(cause);
    }

    @Override
    public AggregatedHttpResponse onProtocolViolation(ServiceConfig config, RequestHeaders headers, HttpStatus status,
                                                      String description, Throwable cause) {
        if (unknownMethod(status, cause)) return render(headers, HttpStatus.METHOD_NOT_ALLOWED, null, limit(config, cause));
        return render(headers, status, description, limit(config, cause));
    }

    @Override
    public AggregatedHttpResponse renderStatus(ServiceRequestContext ctx, ServiceConfig config, RequestHeaders headers,
                                               HttpStatus status, String description, Throwable cause) {
        if (unknownMethod(status, cause)) return render(headers, HttpStatus.METHOD_NOT_ALLOWED, null, limit(config, cause));
        return render(headers, status, description, limit(config, cause));
    }

    /**
     * Armeria's HTTP/1 decoder answers 500 for a method it does not know sent with
     * {@code Expect: 100-continue} (it looks the method up in its enum); that is the client's mistake: 405.
     */
    private static boolean unknownMethod(HttpStatus status, Throwable cause) {
        return status.code() == 500 && cause instanceof IllegalArgumentException i && i.getMessage() != null
                && i.getMessage().startsWith("No enum constant " + com.linecorp.armeria.common.HttpMethod.class.getName());
    }

    /** The largest body the route takes: as the refusal says, else as the route is configured. */
    private static long limit(ServiceConfig config, Throwable cause) {
        if (cause instanceof ContentTooLargeException c && c.maxContentLength() > 0) return c.maxContentLength();
        return config == null ? ApiServer.MAX_BODY : config.maxRequestLength();
    }

    private static AggregatedHttpResponse render(RequestHeaders headers, HttpStatus status, String description, long limit) {
        String message = switch (status.code()) {
            case 404 -> "no such route" + (headers == null ? "" : ": " + headers.path());
            case 405 -> "method not allowed" + (headers == null ? "" : ": " + headers.method() + " " + headers.path());
            case 413 -> "the request body is too large (limit: " + limit + " bytes)";
            case 431 -> "the request headers are too large";
            default -> description != null ? description : status.reasonPhrase();
        };
        ObjectNode body = ApiJson.object();
        body.put("error", message);
        body.putArray("details");
        return AggregatedHttpResponse.of(ResponseHeaders.of(status, HttpHeaderNames.CONTENT_TYPE, MediaType.JSON_UTF_8),
                HttpData.ofUtf8(ApiJson.write(body)), HttpHeaders.of());
    }
}
