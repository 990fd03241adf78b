package dev.steward.agent.api;

import com.linecorp.armeria.common.AggregatedHttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.ServiceRequestContext;
import dev.steward.model.Names;
import dev.steward.model.SpecParser;
import java.nio.file.Path;
import java.util.List;

/** Small helpers to read requests and write JSON responses. */
final class Requests {
    /** The header naming the directory a spec file was read from, for its relative {@code dir}. */
    static final String SPEC_DIR = "x-steward-spec-dir";

    private Requests() {}

    static String name(ServiceRequestContext ctx) {
        String name = ctx.pathParam("name");
        String problem = Names.problem(name);
        if (problem != null) throw new ApiException(400, "bad name: " + problem);
        return name;
    }

    static SpecParser.Parsed spec(AggregatedHttpRequest req) {
        String text = req.contentUtf8();
        String base = req.headers().get(SPEC_DIR);
        Path dir = null;
        if (base != null) {
            dir = Path.of(base);
            if (!dir.isAbsolute()) throw new ApiException(400, "header " + SPEC_DIR + ": '" + base + "' is not an absolute path");
        }
        return SpecParser.parse(text, dir);
    }

    /** Who made the request (its token's name and role). */
    static dev.steward.agent.auth.Caller caller(ServiceRequestContext ctx) {
        return Guard.caller(ctx);
    }

    static Integer intParam(ServiceRequestContext ctx, String key, int min, int max) {
        String v = ctx.queryParam(key);
        if (v == null) return null;
        try {
            int n = Integer.parseInt(v);
            if (n < min || n > max) throw new ApiException(400, key + ": " + n + " (expected: " + min + "-" + max + ")");
            return n;
        } catch (NumberFormatException e) {
            throw new ApiException(400, key + ": '" + v + "' is not a whole number");
        }
    }

    /** The query parameter {@code key} as a duration, zero when it is not given. */
    static java.time.Duration duration(ServiceRequestContext ctx, String key) {
        String t = ctx.queryParam(key);
        if (t == null) return java.time.Duration.ZERO;
        try {
            return dev.steward.model.Durations.parse(t);
        } catch (IllegalArgumentException e) {
            throw new ApiException(400, key + ": '" + t + "' is not a duration (like 500ms or 5s)");
        }
    }

    /** The query parameter {@code key}: a duration back from now (1h) or an instant (2026-12-02T10:00:00Z); null when not given. */
    static java.time.Instant since(ServiceRequestContext ctx, String key, java.time.Clock clock) {
        String text = ctx.queryParam(key);
        if (text == null || text.isEmpty()) return null;
        try {
            return clock.instant().minus(dev.steward.model.Durations.parse(text));
        } catch (IllegalArgumentException e) {
            try {
                return java.time.Instant.parse(text);
            } catch (java.time.format.DateTimeParseException e2) {
                throw new ApiException(400, key + ": '" + text + "' is neither a duration (like 1h) nor a time (like 2026-12-02T10:00:00Z)");
            }
        }
    }

    static boolean flag(ServiceRequestContext ctx, String key) {
        String v = ctx.queryParam(key);
        if (v == null) return false;
        return switch (v) {
            case "", "true", "1", "yes" -> true;
            case "false", "0", "no" -> false;
            default -> throw new ApiException(400, key + ": '" + v + "' (expected: true or false)");
        };
    }

    static void noBody(AggregatedHttpRequest req) {
        if (!req.content().isEmpty()) throw new ApiException(400, "this request takes no body");
    }

    static HttpResponse ok(Object body) {
        return json(HttpStatus.OK, body);
    }

    static HttpResponse json(HttpStatus status, Object body) {
        return HttpResponse.of(status, MediaType.JSON_UTF_8, ApiJson.write(body));
    }

    static List<String> all(ServiceRequestContext ctx, String key) {
        return ctx.queryParams().getAll(key);
    }
}
