package dev.steward.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.StringWriter;
import java.util.Map;

/**
 * The CLI's JSON: the agent's answers read as trees and printed back pretty (--json). Read and written
 * with Jackson's streaming parser and generator, without its object mapper: setting the mapper up took
 * more of a short command's start than the rest of the command.
 */
final class Json {
    private static final JsonFactory FACTORY = new JsonFactory();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private Json() {}

    static JsonNode tree(String text) {
        try (JsonParser p = FACTORY.createParser(text)) {
            JsonToken first = p.nextToken();
            if (first == null) return MissingNode.getInstance();
            JsonNode node = value(p, first);
            if (p.nextToken() != null) throw new CliException(1, "the agent's answer is not JSON: more after its value at " + p.currentLocation());
            return node;
        } catch (IOException e) {
            throw new CliException(1, "the agent's answer is not JSON: " + e.getMessage());
        }
    }

    private static JsonNode value(JsonParser p, JsonToken t) throws IOException {
        return switch (t) {
            case START_OBJECT -> {
                ObjectNode o = NODES.objectNode();
                for (JsonToken f = p.nextToken(); f == JsonToken.FIELD_NAME; f = p.nextToken()) {
                    String name = p.currentName();
                    o.set(name, value(p, p.nextToken()));
                }
                yield o;
            }
            case START_ARRAY -> {
                ArrayNode a = NODES.arrayNode();
                for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) a.add(value(p, e));
                yield a;
            }
            case VALUE_STRING -> NODES.textNode(p.getText());
            case VALUE_NUMBER_INT -> switch (p.getNumberType()) {
                case INT -> NODES.numberNode(p.getIntValue());
                case LONG -> NODES.numberNode(p.getLongValue());
                default -> NODES.numberNode(p.getBigIntegerValue());
            };
            case VALUE_NUMBER_FLOAT -> NODES.numberNode(p.getDoubleValue());
            case VALUE_TRUE -> NODES.booleanNode(true);
            case VALUE_FALSE -> NODES.booleanNode(false);
            case VALUE_NULL -> NODES.nullNode();
            default -> throw new CliException(1, "the agent's answer is not JSON: unexpected " + t + " at " + p.currentLocation());
        };
    }

    static ObjectNode object() {
        return NODES.objectNode();
    }

    static ArrayNode array(java.util.Collection<JsonNode> items) {
        return NODES.arrayNode().addAll(items);
    }

    /** On one line (JSON lines). */
    static String compact(JsonNode node) {
        return write(node, false);
    }

    static String pretty(JsonNode node) {
        return write(node, true);
    }

    private static String write(JsonNode node, boolean pretty) {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            if (pretty) g.useDefaultPrettyPrinter();
            write(g, node);
        } catch (IOException e) {
            throw new CliException(1, e.getMessage());
        }
        return out.toString();
    }

    private static void write(JsonGenerator g, JsonNode n) throws IOException {
        switch (n.getNodeType()) {
            case OBJECT -> {
                g.writeStartObject();
                for (Map.Entry<String, JsonNode> f : n.properties()) {
                    g.writeFieldName(f.getKey());
                    write(g, f.getValue());
                }
                g.writeEndObject();
            }
            case ARRAY -> {
                g.writeStartArray();
                for (JsonNode e : n) write(g, e);
                g.writeEndArray();
            }
            case STRING -> g.writeString(n.textValue());
            case NUMBER -> {
                if (n.isInt()) g.writeNumber(n.intValue());
                else if (n.isLong()) g.writeNumber(n.longValue());
                else if (n.isBigInteger()) g.writeNumber(n.bigIntegerValue());
                else if (n.isBigDecimal()) g.writeNumber(n.decimalValue());
                else g.writeNumber(n.doubleValue());
            }
            case BOOLEAN -> g.writeBoolean(n.booleanValue());
            case NULL, MISSING -> g.writeNull();
            case BINARY, POJO -> g.writeString(n.asText());
        }
    }
}
