package dev.steward.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Reads {@code parts:}, {@code entrypoint:} and {@code paths:} of a dynamic service; problems go to {@link Fields}. */
final class PartsReader {
    /** Reads a ping at a field, as the spec's own {@code ping:} is read. */
    interface PingReader {
        Ping ping(Kind kind, boolean pingOnly, JsonNode node, String field);
    }

    /** Reads restart settings at a field, as the spec's own {@code restart:} is read. */
    interface RestartReader {
        RestartPolicy restart(JsonNode node, String field);
    }

    private static final Set<String> PART = Set.of("command", "image", "env", "resources", "needs", "ping", "port", "restart-on-inputs", "restart",
            "container-entrypoint");
    private static final Set<String> NOT_WITH_PARTS = Set.of("command", "image", "isolate", "user", "policy", "instances",
            "linger", "ping", "ping-only", "resources");

    private final Fields f;
    private final ObjectNode tree;
    private final PingReader pings;
    private final RestartReader restarts;

    PartsReader(Fields f, ObjectNode tree, PingReader pings, RestartReader restarts) {
        this.f = f;
        this.tree = tree;
        this.pings = pings;
        this.restarts = restarts;
    }

    /**
     * The parts, or null when the spec has none (then neither entrypoint nor paths may be given); {@code restart} is
     * the spec's own restart settings, a part's when it gives none.
     */
    Parts read(Kind kind, RestartPolicy restart) {
        JsonNode node = tree.get("parts");
        if (node == null) {
            for (String k : List.of("entrypoint", "paths", "idle")) {
                if (tree.has(k)) f.problem(k, "only a service with parts takes " + k);
            }
            return null;
        }
        if (kind != Kind.SERVICE) f.problem("parts", "only a service has parts");
        for (String k : NOT_WITH_PARTS) {
            if (tree.has(k)) f.problem(k, "a service with parts gives " + k + " per part, or not at all (its instances are opened with 'steward service open')");
        }
        if (!f.isObject(node, "parts")) {
            if (node.isNull()) f.problem("parts", "expected a map of parts, got null");
            return null;
        }
        if (node.isEmpty()) f.problem("parts", "at least one part is required");
        Map<String, Parts.Part> parts = new LinkedHashMap<>();
        node.fields().forEachRemaining(e -> {
            Parts.Part p = part(kind, e.getKey(), e.getValue(), restart);
            if (p != null) parts.put(p.name(), p);
        });
        checkNeeds(node);
        String[] entry = entrypoint(node);
        Parts.DataPaths paths = paths();
        Parts.Idle idle = idle();
        if (!f.problems().isEmpty() || entry == null || parts.size() != node.size()) return null;
        return new Parts(parts, entry[0], Integer.parseInt(entry[1]), paths, idle);
    }

    private Parts.Part part(Kind kind, String name, JsonNode node, RestartPolicy specRestart) {
        String field = "parts." + name;
        String bad = Names.problem(name);
        if (bad != null) f.problem(field, bad);
        if (!f.isObject(node, field)) {
            if (node.isNull()) f.problem(field, "expected a map, got null");
            return null;
        }
        f.onlyKnown(node, field, PART);
        boolean hasImage = node.hasNonNull("image");
        String image = hasImage ? f.text(node.get("image"), field + ".image") : null;
        if (image != null && !image.matches("[^\\s]+")) {
            f.problem(field + ".image", "'" + image + "' (expected: an image reference such as busybox:1 or registry.example/app:2)");
            image = null;
        }
        List<String> command = hasImage && !node.hasNonNull("command") ? List.of() : command(node.get("command"), field + ".command");
        List<String> entry = f.strings(node.get("container-entrypoint"), field + ".container-entrypoint");
        if (entry != null && !hasImage) {
            f.problem(field + ".container-entrypoint", "only a part with an image has a container entrypoint (its command is the whole command)");
        }
        Map<String, String> env = f.stringMap(node.get("env"), field + ".env");
        Resources resources = node.has("resources") ? resources(node.get("resources"), field + ".resources") : Resources.NONE;
        List<String> needs = f.strings(node.get("needs"), field + ".needs");
        Integer port = f.integer(node.get("port"), field + ".port", 1, 65535);
        Ping ping = node.has("ping") ? pings.ping(kind, false, node.get("ping"), field + ".ping") : null;
        RestartPolicy restart = node.has("restart") ? restarts.restart(node.get("restart"), field + ".restart") : specRestart;
        Boolean restartOnInputs = f.bool(node.get("restart-on-inputs"), field + ".restart-on-inputs");
        if (Boolean.TRUE.equals(restartOnInputs) && !hasInputs()) {
            f.problem(field + ".restart-on-inputs", "there are no inputs to restart on (paths.inputs)");
        }
        if (ping != null && !(ping.check() instanceof Ping.Check.Exec) && port == null && !isEntrypoint(name)) {
            f.problem(field + ".ping", "an http or tcp ping needs the part's port (" + field + ".port)");
        }
        if (command == null || bad != null || (hasImage && image == null)) return null;
        try {
            return new Parts.Part(name, command, env == null ? Map.of() : env, resources, needs == null ? List.of() : needs, ping,
                    port != null ? port : entrypointPort(name), Boolean.TRUE.equals(restartOnInputs), restart, image,
                    hasImage ? entry : null);
        } catch (IllegalArgumentException e) {
            f.problem(field, e.getMessage());
            return null;
        }
    }

    private List<String> command(JsonNode node, String field) {
        if (node == null || node.isNull()) {
            f.problem(field, "a command (or an image) is required");
            return null;
        }
        if (node.isTextual()) {
            if (node.asText().isBlank()) {
                f.problem(field, "the command is empty");
                return null;
            }
            return List.of("/bin/sh", "-c", node.asText());
        }
        List<String> cmd = f.strings(node, field);
        if (cmd != null && cmd.isEmpty()) {
            f.problem(field, "the command is empty");
            return null;
        }
        return cmd;
    }

    private Resources resources(JsonNode node, String field) {
        Fields own = new Fields();
        Resources r = own.resources(node);
        own.problems().forEach(p -> f.problem(field + p.field().substring("resources".length()), p.message()));
        return r;
    }

    private boolean isEntrypoint(String part) {
        JsonNode e = tree.get("entrypoint");
        return e != null && e.isTextual() && e.asText().startsWith(part + ":");
    }

    private int entrypointPort(String part) {
        if (!isEntrypoint(part)) return 0;
        String p = tree.get("entrypoint").asText().substring(part.length() + 1);
        return p.matches("\\d{1,5}") ? Integer.parseInt(p) : 0;
    }

    /** Every {@code needs} names another part, and the needs form no cycle (the cycle is named). */
    private void checkNeeds(JsonNode parts) {
        Map<String, Set<String>> graph = new LinkedHashMap<>();
        parts.fields().forEachRemaining(e -> {
            JsonNode needs = e.getValue().isObject() ? e.getValue().get("needs") : null;
            List<String> names = new ArrayList<>();
            if (needs != null && needs.isArray()) needs.forEach(n -> names.add(n.asText()));
            for (int i = 0; i < names.size(); i++) {
                String n = names.get(i);
                String field = "parts." + e.getKey() + ".needs[" + i + "]";
                if (n.equals(e.getKey())) f.problem(field, "a part cannot need itself");
                else if (!parts.has(n)) f.problem(field, "no part '" + n + "' (expected one of: " + String.join(", ", fieldNames(parts)) + ")");
            }
            graph.put(e.getKey(), new java.util.TreeSet<>(names.stream().filter(n -> !n.equals(e.getKey())).toList()));
        });
        CallGraph.cycle(graph).ifPresent(c -> f.problem("parts", "the parts' needs form a cycle: " + String.join(" -> ", c)));
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names.stream().sorted().toList();
    }

    /** {@code PART:PORT}, or null with a problem. */
    private String[] entrypoint(JsonNode parts) {
        String e = f.text(tree.get("entrypoint"), "entrypoint");
        if (e == null) {
            if (!tree.has("entrypoint")) f.problem("entrypoint", "a service with parts needs an entrypoint: PART:PORT");
            return null;
        }
        String[] pp = e.split(":", -1);
        if (pp.length != 2 || !pp[1].matches("\\d{1,5}") || Integer.parseInt(pp[1]) < 1 || Integer.parseInt(pp[1]) > 65535) {
            f.problem("entrypoint", "'" + e + "' (expected: PART:PORT with a port 1-65535)");
            return null;
        }
        if (!parts.has(pp[0])) {
            f.problem("entrypoint", "no part '" + pp[0] + "' (expected one of: " + String.join(", ", fieldNames(parts)) + ")");
            return null;
        }
        return pp;
    }

    private Parts.DataPaths paths() {
        JsonNode node = tree.get("paths");
        if (!f.isObject(node, "paths")) return Parts.DataPaths.NONE;
        f.onlyKnown(node, "paths", Set.of("inputs", "outputs", "state", "state-exclude", "state-save"));
        String inputs = path(f.text(node.get("inputs"), "paths.inputs"), "paths.inputs");
        String outputs = path(f.text(node.get("outputs"), "paths.outputs"), "paths.outputs");
        List<String> state = paths(node.get("state"), "paths.state");
        List<String> exclude = f.strings(node.get("state-exclude"), "paths.state-exclude");
        if (exclude != null && !exclude.isEmpty() && state.isEmpty()) f.problem("paths.state-exclude", "there is no state to exclude from (paths.state)");
        if (exclude != null) {
            for (int i = 0; i < exclude.size(); i++) {
                if (exclude.get(i).isBlank() || exclude.get(i).contains("..")) f.problem("paths.state-exclude[" + i + "]", "'" + exclude.get(i) + "' (expected: a name or glob inside a state folder, without '..')");
            }
        }
        java.time.Duration save = f.duration(node.get("state-save"), "paths.state-save");
        if (save != null && state.isEmpty()) {
            f.problem("paths.state-save", "there is no state to save (paths.state)");
            save = null;
        } else if (save != null && save.compareTo(java.time.Duration.ofSeconds(1)) < 0) {
            f.problem("paths.state-save", "'" + node.get("state-save").asText() + "' (expected: 1s or more)");
        }
        return new Parts.DataPaths(inputs, outputs, state, exclude == null ? List.of() : exclude, save);
    }

    private boolean hasInputs() {
        JsonNode p = tree.get("paths");
        return p != null && p.isObject() && p.hasNonNull("inputs");
    }

    /** {@code idle: {http: /path | exec: [...], timeout: 10m, interval: 30s}}, or null. */
    private Parts.Idle idle() {
        JsonNode node = tree.get("idle");
        if (node == null) return null;
        if (!f.isObject(node, "idle")) {
            if (node.isNull()) f.problem("idle", "expected a map such as {http: /idle, timeout: 10m}, got null");
            return null;
        }
        f.onlyKnown(node, "idle", Set.of("http", "exec", "timeout", "interval"));
        Ping.Check check = null;
        if (node.has("http") == node.has("exec")) {
            f.problem("idle", "give one of http (a path of the entrypoint) or exec (a command), which answers the seconds inactive");
        } else if (node.has("http")) {
            String path = f.text(node.get("http"), "idle.http");
            if (path != null && !path.startsWith("/")) f.problem("idle.http", "'" + path + "' (expected: a path starting with /)");
            else if (path != null) check = new Ping.Check.Http(path);
        } else {
            List<String> cmd = f.strings(node.get("exec"), "idle.exec");
            if (cmd != null && cmd.isEmpty()) f.problem("idle.exec", "the command is empty");
            else if (cmd != null) check = new Ping.Check.Exec(cmd);
        }
        java.time.Duration timeout = f.duration(node.get("timeout"), "idle.timeout");
        if (timeout == null && !node.has("timeout")) f.problem("idle.timeout", "how long an instance may be idle before it is closed is required (e.g. 10m)");
        else if (timeout != null && timeout.compareTo(java.time.Duration.ofSeconds(1)) < 0) f.problem("idle.timeout", "'" + node.get("timeout").asText() + "' (expected: 1s or more)");
        java.time.Duration interval = node.has("interval") ? f.duration(node.get("interval"), "idle.interval") : Parts.Idle.DEFAULT_INTERVAL;
        if (interval != null && node.has("interval") && interval.compareTo(java.time.Duration.ofMillis(100)) < 0) {
            f.problem("idle.interval", "'" + node.get("interval").asText() + "' (expected: 100ms or more)");
        }
        return check == null || timeout == null || interval == null ? null : new Parts.Idle(check, timeout, interval);
    }

    private List<String> paths(JsonNode node, String field) {
        if (node != null && node.isTextual()) {
            String p = path(node.asText(), field);
            return p == null ? List.of() : List.of(p);
        }
        List<String> list = f.strings(node, field);
        if (list == null) return List.of();
        List<String> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            String p = path(list.get(i), field + "[" + i + "]");
            if (p != null) out.add(p);
        }
        return out;
    }

    /** A folder of the instance: {@code /in} and {@code in} are both the instance's {@code in}. */
    private String path(String p, String field) {
        if (p == null) return null;
        String rel = p.replaceAll("^/+", "").replaceAll("/+$", "");
        if (rel.isEmpty() || rel.contains("..") || rel.contains("//") || rel.contains("\\")) {
            f.problem(field, "'" + p + "' (expected: a folder of the instance such as /in, without '..')");
            return null;
        }
        return rel;
    }
}
