package dev.steward.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/** Reads typed fields out of a parsed tree, collecting a {@link Problem} for each thing wrong instead of stopping. */
final class Fields {
    private final List<Problem> problems = new ArrayList<>();

    List<Problem> problems() {
        return problems;
    }

    void problem(String field, String message) {
        problems.add(new Problem(field, message));
    }

    static String join(String prefix, String key) {
        return prefix.isEmpty() ? key : prefix + "." + key;
    }

    /** Reports every key of {@code node} not in {@code known}. */
    /** The fields of {@code node} that {@code unused} names, each as "field: why", in the order given. */
    static java.util.List<String> unused(JsonNode node, java.util.Map<String, String> unused) {
        java.util.List<String> out = new java.util.ArrayList<>();
        node.fieldNames().forEachRemaining(k -> {
            if (unused.containsKey(k)) out.add(k + ": " + unused.get(k));
        });
        return out;
    }

    void onlyKnown(JsonNode node, String prefix, Set<String> known) {
        node.fieldNames().forEachRemaining(k -> {
            if (!known.contains(k)) problem(join(prefix, k), "unknown field (expected one of: " + String.join(", ", known.stream().sorted().toList()) + ")");
        });
    }

    boolean isObject(JsonNode node, String field) {
        if (node == null || node.isNull()) return false;
        if (!node.isObject()) {
            problem(field, "expected a map, got " + describe(node));
            return false;
        }
        return true;
    }

    String text(JsonNode node, String field) {
        if (node == null || node.isNull()) return null;
        if (!node.isTextual()) {
            problem(field, "expected a string, got " + describe(node));
            return null;
        }
        return node.asText();
    }

    Integer integer(JsonNode node, String field, int min, int max) {
        if (node == null || node.isNull()) return null;
        if (!node.isIntegralNumber() || !node.canConvertToInt()) {
            problem(field, "expected a whole number, got " + describe(node));
            return null;
        }
        int v = node.intValue();
        if (v < min || v > max) {
            problem(field, v + " (expected: " + min + "-" + max + ")");
            return null;
        }
        return v;
    }

    Double number(JsonNode node, String field) {
        if (node == null || node.isNull()) return null;
        if (!node.isNumber()) {
            problem(field, "expected a number, got " + describe(node));
            return null;
        }
        return node.doubleValue();
    }

    Boolean bool(JsonNode node, String field) {
        if (node == null || node.isNull()) return null;
        if (!node.isBoolean()) {
            problem(field, "expected true or false, got " + describe(node));
            return null;
        }
        return node.booleanValue();
    }

    Duration duration(JsonNode node, String field) {
        return parsed(node, field, Durations::parse);
    }

    Long size(JsonNode node, String field) {
        if (node != null && node.isIntegralNumber() && node.canConvertToLong() && node.longValue() >= 0) return node.longValue();
        return parsed(node, field, Sizes::parse);
    }

    <T> T parsed(JsonNode node, String field, Function<String, T> parser) {
        String s = text(node, field);
        if (s == null) return null;
        try {
            return parser.apply(s);
        } catch (IllegalArgumentException e) {
            problem(field, e.getMessage());
            return null;
        }
    }

    List<String> strings(JsonNode node, String field) {
        if (node == null || node.isNull()) return null;
        if (!node.isArray()) {
            problem(field, "expected a list of strings, got " + describe(node));
            return null;
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            JsonNode item = node.get(i);
            if (item.isTextual() || item.isNumber()) out.add(item.asText());
            else problem(field + "[" + i + "]", "expected a string, got " + describe(item));
        }
        return out;
    }

    Map<String, String> stringMap(JsonNode node, String field) {
        if (!isObject(node, field)) return null;
        Map<String, String> out = new LinkedHashMap<>();
        node.fields().forEachRemaining(e -> {
            JsonNode v = e.getValue();
            if (v.isValueNode() && !v.isNull()) out.put(e.getKey(), v.asText());
            else problem(join(field, e.getKey()), "expected a string, got " + describe(v));
        });
        return out;
    }

    /** {@code resources: {memory, cpu, pids}}, {@link Resources#NONE} when not given. */
    Resources resources(JsonNode node) {
        if (!isObject(node, "resources")) return Resources.NONE;
        onlyKnown(node, "resources", Set.of("memory", "cpu", "pids"));
        Long memory = size(node.get("memory"), "resources.memory");
        Double cpu = number(node.get("cpu"), "resources.cpu");
        if (cpu != null && (cpu <= 0 || cpu > 1024)) problem("resources.cpu", cpu + " (expected: more than 0, at most 1024)");
        Integer pids = integer(node.get("pids"), "resources.pids", 1, 1_000_000);
        return new Resources(memory == null ? 0 : memory, cpu == null ? 0 : cpu, pids == null ? 0 : pids);
    }

    static String describe(JsonNode node) {
        if (node.isObject()) return "a map";
        if (node.isArray()) return "a list";
        if (node.isTextual()) return "the string '" + node.asText() + "'";
        if (node.isBoolean()) return node.asText();
        if (node.isNumber()) return "the number " + node.asText();
        return node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
    }
}
