package dev.steward.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.steward.agent.api.ApiServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** {@code /v1/openapi.json} describes every route the API serves, and nothing it does not. */
class OpenApiTest extends AgentTestBase {
    @Test
    void everyRouteIsDescribedAndEveryDescriptionIsARoute() throws Exception {
        TreeSet<String> served = new TreeSet<>();
        for (ApiServer.RouteInfo route : agent.agent().apiRoutes()) {
            String path = route.pattern().replaceAll(":([A-Za-z]+)", "{$1}");
            for (String m : route.methods()) if (!m.equals("HEAD") && !m.equals("OPTIONS")) served.add(m + " " + path);
        }
        var r = agent.call("GET", "/v1/openapi.json", null);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode doc = new ObjectMapper().readTree(r.body());
        assertThat(doc.path("openapi").asText()).startsWith("3.");
        assertThat(doc.path("info").path("version").asText()).isNotBlank();
        TreeSet<String> described = new TreeSet<>();
        List<String> incomplete = new ArrayList<>();
        java.util.Set<String> methods = java.util.Set.of("get", "put", "post", "delete", "patch", "head", "options", "trace");
        doc.path("paths").properties().forEach(p -> p.getValue().properties().stream().filter(op -> methods.contains(op.getKey())).forEach(op -> {
            String key = op.getKey().toUpperCase(Locale.ROOT) + " " + p.getKey();
            described.add(key);
            JsonNode o = op.getValue();
            if (o.path("summary").asText().isBlank()) incomplete.add(key + ": no summary");
            if (!o.path("responses").isObject() || o.path("responses").isEmpty()) incomplete.add(key + ": no responses");
            for (String param : p.getKey().split("/")) {
                if (param.startsWith("{")) {
                    String name = param.substring(1, param.length() - 1);
                    boolean declared = false;
                    for (JsonNode d : o.path("parameters")) declared |= isPathParameter(doc, d, name);
                    for (JsonNode d : p.getValue().path("parameters")) declared |= isPathParameter(doc, d, name);
                    if (!declared) incomplete.add(key + ": path parameter " + name + " not declared");
                }
            }
        }));
        TreeSet<String> undocumented = new TreeSet<>(served);
        undocumented.removeAll(described);
        TreeSet<String> extra = new TreeSet<>(described);
        extra.removeAll(served);
        assertThat(undocumented).as("routes served but not in openapi.json").isEmpty();
        assertThat(extra).as("operations in openapi.json the API does not serve").isEmpty();
        assertThat(incomplete).isEmpty();
        assertThat(doc.path("components").path("schemas").has("Error")).isTrue();
    }

    /** Whether {@code d} (or the parameter its {@code $ref} names) is the path parameter {@code name}. */
    private static boolean isPathParameter(JsonNode doc, JsonNode d, String name) {
        String ref = d.path("$ref").asText("");
        if (ref.startsWith("#/components/parameters/")) d = doc.path("components").path("parameters").path(ref.substring("#/components/parameters/".length()));
        return d.path("name").asText().equals(name) && d.path("in").asText().equals("path") && d.path("required").asBoolean();
    }
}
