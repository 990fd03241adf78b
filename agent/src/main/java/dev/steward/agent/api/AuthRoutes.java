package dev.steward.agent.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.server.ServerBuilder;
import dev.steward.agent.Json;
import dev.steward.agent.auth.Audit;
import dev.steward.agent.auth.Rights;
import dev.steward.agent.auth.Role;
import dev.steward.agent.auth.Tokens;
import dev.steward.model.Durations;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * {@code /v1/health} (no token needed), {@code /v1/whoami}, {@code /v1/tokens} (admin tokens only:
 * create, list, revoke) and {@code /v1/audit} (the changes asked of the agent).
 */
final class AuthRoutes {
    private final Tokens tokens;
    private final Audit audit;
    private final Clock clock;

    AuthRoutes(Tokens tokens, Audit audit, Clock clock) {
        this.tokens = tokens;
        this.audit = audit;
        this.clock = clock;
    }

    void bind(ServerBuilder sb) {
        sb.route().get("/v1/health").build((ctx, req) -> Requests.ok(Map.of("status", "ok")));
        sb.route().get("/v1/whoami").build(Blocking.of((ctx, req) -> {
            var c = Requests.caller(ctx);
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("name", c.name());
            v.put("role", c.role().wire());
            tokens.named(c.name()).map(t -> t.expires()).ifPresent(e -> v.put("expires", e.toString()));
            return Requests.ok(v);
        }));
        sb.route().post("/v1/tokens").build(Blocking.of((ctx, req) -> {
            Rights.requireAdmin(Requests.caller(ctx), "making a token");
            JsonNode body = body(req.contentUtf8());
            String name = text(body, "name");
            if (name == null) throw new ApiException(400, "name: a token needs a name");
            String roleText = text(body, "role");
            Role role;
            try {
                role = roleText == null ? Role.USER : Role.of(roleText);
            } catch (IllegalArgumentException e) {
                throw new ApiException(400, e.getMessage());
            }
            String ttlText = text(body, "ttl");
            Duration ttl;
            try {
                ttl = ttlText == null ? null : Durations.parse(ttlText);
            } catch (IllegalArgumentException e) {
                throw new ApiException(400, "ttl: " + e.getMessage());
            }
            String secret = tokens.create(name, role, ttl);
            Map<String, Object> v = new LinkedHashMap<>(tokens.named(name).orElseThrow().view());
            v.put("token", secret);
            return Requests.json(HttpStatus.CREATED, v);
        }));
        sb.route().get("/v1/tokens").build(Blocking.of((ctx, req) -> {
            Rights.requireAdmin(Requests.caller(ctx), "listing tokens");
            return Requests.ok(tokens.list().stream().map(t -> t.view()).toList());
        }));
        sb.route().delete("/v1/tokens/{name}").build(Blocking.of((ctx, req) -> {
            Rights.requireAdmin(Requests.caller(ctx), "revoking a token");
            String name = Requests.name(ctx);
            tokens.revoke(name);
            return Requests.ok(Map.of("name", name, "revoked", true));
        }));
        sb.route().get("/v1/audit").build(Blocking.of((ctx, req) -> {
            Integer limit = Requests.intParam(ctx, "limit", 1, Audit.KEEP);
            return Requests.ok(audit.list(Requests.since(ctx, "since", clock), limit == null ? 1000 : limit));
        }));
    }

    private static final Set<String> FIELDS = Set.of("name", "role", "ttl");

    private static JsonNode body(String text) {
        JsonNode n = ApiJson.read(text);
        if (!n.isObject()) throw new ApiException(400, "the body must be a JSON object with name, role and ttl");
        var unknown = new java.util.ArrayList<String>();
        n.fieldNames().forEachRemaining(f -> {
            if (!FIELDS.contains(f)) unknown.add(f + ": unknown field");
        });
        if (!unknown.isEmpty()) throw new ApiException(400, "the body has unknown fields", unknown);
        return n;
    }

    private static String text(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) return null;
        if (!v.isTextual()) throw new ApiException(400, field + ": expected a string");
        return v.asText();
    }
}
