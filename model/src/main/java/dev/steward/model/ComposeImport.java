package dev.steward.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A Compose file translated into the spec of a service with parts: each Compose service a part (a container part of
 * its image, else a process part of its command and entrypoint; its environment, depends_on, healthcheck, resource
 * limits, port, and named volumes as the instance's state folders), the first service that publishes a port the
 * entrypoint. What has no counterpart is listed, each by its Compose field, never dropped unsaid; a file that is not
 * Compose (a field Compose does not have, a field of the wrong type) is refused with every problem named.
 */
public final class ComposeImport {
    /** The spec (a tree the spec parser takes) and what could not be translated, as "FIELD: why". */
    public record Result(ObjectNode spec, List<String> untranslated) {
        public Result {
            untranslated = List.copyOf(untranslated);
        }
    }

    private static final Set<String> TOP_IGNORED = Set.of("version", "name", "services", "volumes");
    private static final Map<String, String> NOT_TRANSLATED = Map.ofEntries(
            Map.entry("build", "images are not built here: the part runs its image, which must be on the node or pullable"),
            Map.entry("networks", "the parts of an instance share one network namespace: they reach each other on localhost"),
            Map.entry("restart", "a part that ends is restarted with back-off by its own restart: settings; Compose's policies are not translated"),
            Map.entry("working_dir", "the parts run in the instance's folder"),
            Map.entry("container_name", "parts are named by their service"),
            Map.entry("user", "parts run as the agent runs instances"),
            Map.entry("labels", "no counterpart"),
            Map.entry("env_file", "files of the host's are not read: give the variables in environment"),
            Map.entry("expose", "the parts share localhost: every port is reachable by the others"));
    /** The service fields translated (the rest are listed). */
    private static final Set<String> TRANSLATED = Set.of("image", "command", "entrypoint", "environment", "depends_on", "healthcheck",
            "deploy", "mem_limit", "cpus", "pids_limit", "ports", "volumes");

    private final String name;
    private final List<String> untranslated = new ArrayList<>();
    private final JsonNodeFactory json = JsonNodeFactory.instance;
    /** The folders named volumes are mounted at, each a state folder of the instance: saved on close, restored at the next open. */
    private final java.util.LinkedHashSet<String> state = new java.util.LinkedHashSet<>();
    /** Each named volume's first folder, to say when another service mounts it elsewhere. */
    private final Map<String, String> volumeAt = new java.util.HashMap<>();

    private ComposeImport(String name) {
        this.name = name;
    }

    /** The spec as YAML text, its fields in the order they were set. */
    public static String yaml(ObjectNode spec) {
        try {
            return new com.fasterxml.jackson.dataformat.yaml.YAMLMapper()
                    .disable(com.fasterxml.jackson.dataformat.yaml.YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                    .enable(com.fasterxml.jackson.dataformat.yaml.YAMLGenerator.Feature.MINIMIZE_QUOTES)
                    .enable(com.fasterxml.jackson.dataformat.yaml.YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
                    .writeValueAsString(spec);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Translates the Compose file {@code text} into the spec of service {@code name}. */
    public static Result translate(String text, String name) {
        Names.require(name);
        ObjectNode compose = SpecParser.readTree(text);
        List<Problem> problems = ComposeShape.problems(compose);
        if (!problems.isEmpty()) throw new InvalidSpecException(problems);
        return new ComposeImport(name).translate(compose);
    }

    private Result translate(ObjectNode compose) {
        ObjectNode spec = json.objectNode().put("name", name);
        JsonNode services = compose.get("services");
        compose.fieldNames().forEachRemaining(k -> {
            if (!TOP_IGNORED.contains(k) && !k.startsWith("x-")) untranslated.add(k + ": top-level " + k + " have no counterpart");
        });
        for (var v : iterable(compose.path("volumes"))) {
            if (v.getValue().isObject() && !v.getValue().isEmpty()) {
                untranslated.add("volumes." + v.getKey() + ": its settings (" + String.join(", ", names(v.getValue()))
                        + "): a named volume is a state folder of the instance, kept by the agent");
            }
        }
        ObjectNode parts = spec.putObject("parts");
        String entrypoint = null;
        for (var e : iterable(services)) {
            String part = partName(e.getKey());
            ObjectNode p = parts.putObject(part);
            String published = part(e.getKey(), e.getValue(), p);
            if (entrypoint == null && published != null) entrypoint = part + ":" + published;
        }
        if (entrypoint == null) {
            untranslated.add("ports: no service publishes a port; the entrypoint is set to the first part's port 8080");
            entrypoint = parts.fieldNames().next() + ":8080";
        }
        spec.put("entrypoint", entrypoint);
        if (!state.isEmpty()) {
            ArrayNode folders = spec.putObject("paths").putArray("state");
            state.forEach(folders::add);
        }
        return new Result(spec, untranslated);
    }

    private String partName(String service) {
        String n = service.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-").replaceAll("^-+", "");
        if (n.isEmpty()) n = "part";
        if (n.length() > 63) n = n.substring(0, 63);
        if (!n.equals(service)) untranslated.add("services." + service + ": renamed to the part " + n + " (expected: [a-z0-9][a-z0-9-]{0,62})");
        return n;
    }

    /**
     * Fills the part {@code p} from the Compose service {@code s}: a container part of its image when it has one (its
     * entrypoint the container's, its command the container's), else a process part of its entrypoint and command.
     * Returns the container port it publishes first, or null.
     */
    private String part(String service, JsonNode s, ObjectNode p) {
        String at = "services." + service;
        String image = s.hasNonNull("image") ? s.get("image").asText() : null;
        if (image != null) {
            p.put("image", image);
            if (s.has("entrypoint") && !s.get("entrypoint").isNull()) {
                ArrayNode entry = p.putArray("container-entrypoint");
                words(s.get("entrypoint")).forEach(entry::add);
            }
            List<String> command = words(s.get("command"));
            if (!command.isEmpty()) command.forEach(p.putArray("command")::add);
        } else {
            List<String> command = new ArrayList<>();
            command.addAll(words(s.get("entrypoint")));
            command.addAll(words(s.get("command")));
            if (command.isEmpty()) untranslated.add(at + ": no image, command or entrypoint; the part needs a command");
            ArrayNode cmd = p.putArray("command");
            command.forEach(cmd::add);
        }
        environment(at, s.get("environment"), p);
        needs(s.get("depends_on"), p);
        healthcheck(at, s.get("healthcheck"), p);
        resources(at, s, p);
        String published = ports(at, s.get("ports"), p);
        volumes(at, s.get("volumes"));
        s.fieldNames().forEachRemaining(k -> {
            if (NOT_TRANSLATED.containsKey(k)) untranslated.add(at + "." + k + ": " + NOT_TRANSLATED.get(k));
            else if (!TRANSLATED.contains(k) && !k.startsWith("x-")) untranslated.add(at + "." + k + ": no counterpart");
        });
        return published;
    }

    /**
     * Named volumes become state folders at the path they are mounted at (the instance's own data, kept across its
     * opens as a named volume is across {@code up}s); a folder of the host's, an anonymous volume or a tmpfs is listed.
     */
    private void volumes(String at, JsonNode n) {
        if (n == null || !n.isArray()) return;
        for (int i = 0; i < n.size(); i++) {
            JsonNode v = n.get(i);
            String field = at + ".volumes[" + i + "]";
            String type, source, target;
            if (v.isObject()) {
                type = v.path("type").asText("volume");
                source = v.path("source").asText("");
                target = v.path("target").asText("");
            } else {
                String[] pp = v.asText().split(":");
                source = pp.length > 1 ? pp[0] : "";
                target = pp.length > 1 ? pp[1] : pp[0];
                type = source.isEmpty() ? "volume" : source.startsWith(".") || source.startsWith("/") || source.startsWith("~") ? "bind" : "volume";
            }
            String given = v.isTextual() ? v.asText() : v.toString();
            if (type.equals("bind")) {
                untranslated.add(field + ": '" + given + "': the host's folder is not mounted (an instance's data comes in as paths.inputs,"
                        + " given at open with --inputs DIR)");
            } else if (!type.equals("volume")) {
                untranslated.add(field + ": '" + given + "': a " + type + " mount has no counterpart");
            } else if (source.isEmpty()) {
                untranslated.add(field + ": '" + target + "': an anonymous volume; the container's own filesystem holds it for the instance's life");
            } else if (!target.startsWith("/") || target.contains("..") || target.equals("/")) {
                untranslated.add(field + ": '" + target + "' (expected: an absolute folder other than /)");
            } else {
                String folder = target.replaceAll("/+$", "");
                String first = volumeAt.putIfAbsent(source, folder);
                if (first != null && !first.equals(folder)) {
                    untranslated.add(field + ": the volume " + source + " at " + folder + " is another folder than its " + first
                            + " in another service: each is a state folder of its own, not shared");
                }
                state.add(folder);
            }
        }
    }

    /** A command as Compose gives it: a list, or a string split at spaces (Compose splits it as a shell would; quotes are not read here). */
    private static List<String> words(JsonNode n) {
        List<String> out = new ArrayList<>();
        if (n == null || n.isNull()) return out;
        if (n.isArray()) n.forEach(w -> out.add(w.asText()));
        else if (!n.asText().isBlank()) out.addAll(List.of(n.asText().strip().split("\\s+")));
        return out;
    }

    private void environment(String at, JsonNode n, ObjectNode p) {
        if (n == null || n.isNull()) return;
        ObjectNode env = p.putObject("env");
        if (n.isObject()) {
            for (var e : iterable(n)) env.put(e.getKey(), e.getValue().isNull() ? "" : e.getValue().asText());
        } else {
            for (JsonNode kv : n) {
                String[] pair = kv.asText().split("=", 2);
                if (pair.length == 2) env.put(pair[0], pair[1]);
                else untranslated.add(at + ".environment: " + pair[0] + " takes its value from the host's environment, which parts do not see");
            }
        }
    }

    private void needs(JsonNode n, ObjectNode p) {
        if (n == null || n.isNull()) return;
        ArrayNode needs = p.putArray("needs");
        if (n.isObject()) n.fieldNames().forEachRemaining(k -> needs.add(partName(k)));
        else n.forEach(k -> needs.add(partName(k.asText())));
    }

    private void healthcheck(String at, JsonNode n, ObjectNode p) {
        if (n == null || !n.isObject() || n.path("disable").asBoolean(false)) return;
        List<String> test = words(n.get("test"));
        if (test.isEmpty() || test.get(0).equals("NONE")) return;
        ArrayNode exec = json.arrayNode();
        if (test.get(0).equals("CMD-SHELL")) exec.add("/bin/sh").add("-c").add(String.join(" ", test.subList(1, test.size())));
        else (test.get(0).equals("CMD") ? test.subList(1, test.size()) : List.of("/bin/sh", "-c", String.join(" ", test))).forEach(exec::add);
        ObjectNode ping = p.putObject("ping");
        ping.set("exec", exec);
        for (String k : List.of("interval", "timeout")) {
            if (n.hasNonNull(k)) ping.put(k, n.get(k).asText());
        }
        for (String k : List.of("retries", "start_period", "start_interval")) {
            if (n.has(k)) untranslated.add(at + ".healthcheck." + k + ": a part's ping is tried until the instance's ready-within");
        }
    }

    private void resources(String at, JsonNode s, ObjectNode p) {
        JsonNode limits = s.path("deploy").path("resources").path("limits");
        ObjectNode r = json.objectNode();
        String memory = s.hasNonNull("mem_limit") ? s.get("mem_limit").asText() : limits.path("memory").asText(null);
        if (memory != null) r.put("memory", size(memory));
        String cpus = s.hasNonNull("cpus") ? s.get("cpus").asText() : limits.path("cpus").asText(null);
        if (cpus != null && cpus.matches("\\d+(\\.\\d+)?")) r.put("cpu", Double.parseDouble(cpus));
        else if (cpus != null) untranslated.add(at + ".cpus: '" + cpus + "' (expected: a number of CPUs)");
        int pids = s.hasNonNull("pids_limit") ? s.get("pids_limit").asInt() : limits.path("pids").asInt(0);
        if (pids > 0) r.put("pids", pids); // -1 and 0: Compose's no limit
        if (!r.isEmpty()) p.set("resources", r);
        if (s.has("deploy")) {
            s.get("deploy").fieldNames().forEachRemaining(k -> {
                if (!k.equals("resources")) untranslated.add(at + ".deploy." + k + ": an instance runs one of each part");
            });
            if (s.path("deploy").path("resources").has("reservations")) untranslated.add(at + ".deploy.resources.reservations: only limits are enforced");
        }
    }

    /** Compose's byte sizes ({@code 512m}, {@code 1gb}, {@code 1024}: powers of 1024) in the spec's ({@code 512Mi}). */
    static String size(String compose) {
        var m = java.util.regex.Pattern.compile("(\\d+)\\s*([kmgt])?b?").matcher(compose.strip().toLowerCase(Locale.ROOT));
        if (!m.matches()) return compose; // the spec's parser names it
        return m.group(1) + (m.group(2) == null ? "" : m.group(2).toUpperCase(Locale.ROOT) + "i");
    }

    /** The part's port from its first {@code ports} entry (the container's side); the rest are listed. */
    private String ports(String at, JsonNode n, ObjectNode p) {
        if (n == null || !n.isArray() || n.isEmpty()) return null;
        String first = n.get(0).isObject() ? n.get(0).path("target").asText() : n.get(0).asText();
        String container = first.replaceAll("/(tcp|udp)$", "");
        container = container.substring(container.lastIndexOf(':') + 1);
        if (!container.matches("\\d{1,5}")) {
            untranslated.add(at + ".ports[0]: '" + first + "' (expected: [HOST:]CONTAINER, one port)");
            return null;
        }
        p.put("port", Integer.parseInt(container));
        if (first.contains(":")) untranslated.add(at + ".ports[0]: the host's side is not published: an instance is reached through the gateway at its own URL");
        for (int i = 1; i < n.size(); i++) untranslated.add(at + ".ports[" + i + "]: only one port per part (the first) is known");
        return container;
    }

    private static List<String> names(JsonNode n) {
        List<String> out = new ArrayList<>();
        n.fieldNames().forEachRemaining(out::add);
        return out;
    }

    private static Iterable<Map.Entry<String, JsonNode>> iterable(JsonNode n) {
        return n::fields;
    }
}
