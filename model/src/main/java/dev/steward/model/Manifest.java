package dev.steward.model;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An app's {@code manifest.json}: the worker program ({@code slave}, relative to the app's root),
 * its environment, and whether it is given {@code --locator HOST:PORT} as Cocaine 0.11 gave it
 * ({@code "locator-arg": false} leaves it out, for workers that refuse it). Cocaine 0.11's
 * {@code drivers} and {@code local} are taken, with a warning that Steward does not use them.
 */
public record Manifest(String slave, Map<String, String> environment, boolean locatorArg, List<String> warnings) {
    /** Fields of Cocaine 0.11's manifests that are taken and not used, with why. */
    static final Map<String, String> UNUSED = Map.of(
            "drivers", "accepted, not used: Steward has no drivers (timers, filesystem events); send the events from a job or a service",
            "local", "accepted, not used: an app always runs on the agent it was uploaded to");

    public Manifest {
        environment = Map.copyOf(environment);
        warnings = List.copyOf(warnings);
    }

    public static Manifest parse(String text) {
        ObjectNode tree = SpecParser.readTree(text);
        Fields f = new Fields();
        f.onlyKnown(tree, "", Set.of("slave", "worker", "environment", "locator-arg", "drivers", "local"));
        // Cocaine's manifests name the worker program "slave"; Steward's word, "worker", is taken too
        String key = tree.has("worker") ? "worker" : "slave";
        if (tree.has("worker") && tree.has("slave")) f.problem("worker", "give worker or slave (Cocaine's word for it), not both");
        String slave = f.text(tree.get(key), key);
        if (slave == null && !tree.has(key)) f.problem(key, "the worker program is required");
        if (slave != null) {
            String plain = slave.startsWith("./") ? slave.substring(2) : slave;
            if (plain.isEmpty() || slave.startsWith("/") || List.of(plain.split("/")).contains("..")) {
                f.problem(key, "'" + slave + "' must be a path inside the app, like ./worker");
            }
        }
        Map<String, String> env = f.stringMap(tree.get("environment"), "environment");
        Boolean locator = f.bool(tree.get("locator-arg"), "locator-arg");
        if (!f.problems().isEmpty()) throw new InvalidSpecException(f.problems());
        return new Manifest(slave, env == null ? Map.of() : env, locator == null || locator, Fields.unused(tree, UNUSED));
    }
}
