package dev.steward.model;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An app's {@code manifest.json}: the worker program ({@code slave}, relative to the app's root)
 * and its environment.
 */
public record Manifest(String slave, Map<String, String> environment) {
    public Manifest {
        environment = Map.copyOf(environment);
    }

    public static Manifest parse(String text) {
        ObjectNode tree = SpecParser.readTree(text);
        Fields f = new Fields();
        f.onlyKnown(tree, "", Set.of("slave", "environment"));
        String slave = f.text(tree.get("slave"), "slave");
        if (slave == null && !tree.has("slave")) f.problem("slave", "the worker program is required");
        if (slave != null) {
            String plain = slave.startsWith("./") ? slave.substring(2) : slave;
            if (plain.isEmpty() || slave.startsWith("/") || List.of(plain.split("/")).contains("..")) {
                f.problem("slave", "'" + slave + "' must be a path inside the app, like ./worker");
            }
        }
        Map<String, String> env = f.stringMap(tree.get("environment"), "environment");
        if (!f.problems().isEmpty()) throw new InvalidSpecException(f.problems());
        return new Manifest(slave, env == null ? Map.of() : env);
    }
}
