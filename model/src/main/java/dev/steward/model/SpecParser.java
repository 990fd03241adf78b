package dev.steward.model;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Parses a spec from YAML or JSON and validates it as a whole: every problem is collected, each
 * naming its field, and nothing is returned unless the spec is valid.
 */
public final class SpecParser {
    private static final ObjectMapper YAML = YAMLMapper.builder(YAMLFactory.builder()
                    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build())
            .build();
    private static final ObjectMapper JSON = new ObjectMapper().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION.mappedFeature());

    private SpecParser() {}

    /** A valid spec together with its source tree (with {@code dir} made absolute), which is what is stored. */
    public record Parsed(Spec spec, ObjectNode source) {}

    /** Parses {@code text}; a relative {@code dir} is taken against {@code baseDir}. */
    public static Parsed parse(String text, Path baseDir) {
        return fromTree(readTree(text), baseDir);
    }

    /** Reads YAML or JSON (JSON is chosen when the text starts with a brace) into a map. */
    public static ObjectNode readTree(String text) {
        if (text == null || text.isBlank()) throw new InvalidSpecException("", "the spec is empty");
        String trimmed = text.stripLeading();
        ObjectMapper mapper = trimmed.startsWith("{") ? JSON : YAML;
        JsonNode node;
        try {
            node = mapper.readTree(text);
        } catch (JacksonException e) {
            throw new InvalidSpecException("", "malformed " + (mapper == JSON ? "JSON" : "YAML") + where(e.getLocation()) + ": " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            throw new InvalidSpecException("", "the spec must be a map of fields, got " + (node == null ? "nothing" : Fields.describe(node)));
        }
        return (ObjectNode) node;
    }

    private static String where(JsonLocation loc) {
        return loc == null || loc.getLineNr() < 1 ? "" : " at line " + loc.getLineNr() + ", column " + loc.getColumnNr();
    }

    /** Validates a tree already read; the returned source has {@code dir} resolved against {@code baseDir}. */
    public static Parsed fromTree(ObjectNode tree, Path baseDir) {
        ObjectNode source = tree.deepCopy();
        Fields f = new Fields();
        Spec spec = new SpecReader(f, source, baseDir).read();
        if (!f.problems().isEmpty() || spec == null) {
            List<Problem> problems = new ArrayList<>(f.problems());
            if (problems.isEmpty()) problems.add(new Problem("", "the spec is not valid"));
            throw new InvalidSpecException(problems);
        }
        return new Parsed(spec, source);
    }

    /** Serializes a tree as JSON text. */
    public static String toJson(JsonNode node) {
        try {
            return JSON.writeValueAsString(node);
        } catch (JacksonException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads a single YAML scalar or flow value, as a command line's {@code key=value} gives it. */
    public static JsonNode scalar(String text) {
        try {
            JsonNode n = YAML.readTree(text);
            return n == null ? YAML.getNodeFactory().textNode(text) : n;
        } catch (JacksonException e) {
            return YAML.getNodeFactory().textNode(text);
        }
    }

    /** Sets {@code a.b.c} to {@code value} in {@code tree}, making the maps on the way. */
    public static void set(ObjectNode tree, String dottedKey, JsonNode value) {
        String[] parts = dottedKey.split("\\.", -1); // -1: "." and "a." keep their empty segments
        ObjectNode at = tree;
        for (int i = 0; i < parts.length - 1; i++) {
            if (parts[i].isEmpty()) throw new InvalidSpecException(dottedKey, "empty key segment");
            JsonNode next = at.get(parts[i]);
            if (next == null || !next.isObject()) next = at.putObject(parts[i]);
            at = (ObjectNode) next;
        }
        String last = parts[parts.length - 1];
        if (last.isEmpty()) throw new InvalidSpecException(dottedKey, "empty key segment");
        at.set(last, value);
    }

    static Map<String, String> emptyIfNull(Map<String, String> m) {
        return m == null ? Map.of() : m;
    }
}
