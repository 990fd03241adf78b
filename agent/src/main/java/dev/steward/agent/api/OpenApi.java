package dev.steward.agent.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.steward.model.Version;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * {@code /v1/openapi.json}: the API's description, written by hand in {@code openapi.yaml} beside this
 * class (OpenApiTest holds it to the routes the server has), served as JSON with the agent's version.
 */
final class OpenApi {
    private OpenApi() {}

    private static final class Holder {
        static final String JSON = load();
    }

    static String json() {
        return Holder.JSON;
    }

    private static String load() {
        try (InputStream in = OpenApi.class.getResourceAsStream("openapi.yaml")) {
            if (in == null) throw new IllegalStateException("openapi.yaml is missing from the agent's jar");
            ObjectNode doc = (ObjectNode) new ObjectMapper(new YAMLFactory()).readTree(in);
            ((ObjectNode) doc.path("info")).put("version", Version.CURRENT);
            return new ObjectMapper().writeValueAsString(doc);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
