package dev.steward.agent.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializerBase;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.steward.model.Durations;
import java.time.Duration;

/**
 * The HTTP API's JSON: every property in kebab-case ({@code uptime-seconds}, {@code wanted-by}), as specs
 * are written. Only what the API sends and takes goes through it; what the agent stores keeps
 * {@link dev.steward.agent.Json}'s names, so records on disk, in SQLite and in etcd read the same in every version.
 * Map keys are data and pass as they are: a view built as a map names its keys itself. What is absent
 * (null) is left out, and durations are written as specs write them ({@code 30s}, {@code 500ms}).
 */
final class ApiJson {
    static final ObjectMapper MAPPER = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.KEBAB_CASE)
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            .registerModule(new JavaTimeModule())
            .registerModule(new SimpleModule().addSerializer(Duration.class, new ToStringSerializerBase(Duration.class) {
                @Override
                public String valueToString(Object value) {
                    return Durations.format((Duration) value);
                }
            }))
            .setDefaultPropertyInclusion(JsonInclude.Value.construct(JsonInclude.Include.NON_NULL, JsonInclude.Include.NON_NULL))
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    private ApiJson() {}

    static String write(Object value) {
        return dev.steward.agent.Json.write(MAPPER, value);
    }

    /** A request body as a tree; a body that is not JSON is the caller's mistake (400). */
    static JsonNode read(String text) {
        try {
            return text.isBlank() ? MAPPER.createObjectNode() : MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new ApiException(400, "the body is not JSON: " + e.getOriginalMessage());
        }
    }

    static JsonNode tree(Object value) {
        return MAPPER.valueToTree(value);
    }

    static ObjectNode object() {
        return MAPPER.createObjectNode();
    }
}
