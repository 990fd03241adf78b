package dev.steward.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks that a Compose file is one before it is translated: every field a Compose field (top level and per
 * service; {@code x-} extensions allowed anywhere), and each field that is translated of the type Compose gives it.
 * Every problem is collected, named by its field.
 */
final class ComposeShape {
    static final Set<String> TOP = Set.of("version", "name", "services", "networks", "volumes", "secrets", "configs", "include", "models");

    /** The Compose specification's service fields. */
    static final Set<String> SERVICE = Set.of("annotations", "attach", "blkio_config", "build", "cap_add", "cap_drop", "cgroup",
            "cgroup_parent", "command", "configs", "container_name", "cpu_count", "cpu_percent", "cpu_period", "cpu_quota",
            "cpu_rt_period", "cpu_rt_runtime", "cpu_shares", "cpus", "cpuset", "credential_spec", "depends_on", "deploy", "develop",
            "device_cgroup_rules", "devices", "dns", "dns_opt", "dns_search", "domainname", "entrypoint", "env_file", "environment",
            "expose", "extends", "external_links", "extra_hosts", "gpus", "group_add", "healthcheck", "hostname", "image", "init",
            "ipc", "isolation", "labels", "label_file", "links", "logging", "mac_address", "mem_limit", "mem_reservation",
            "mem_swappiness", "memswap_limit", "models", "network_mode", "networks", "oom_kill_disable", "oom_score_adj", "pid",
            "pids_limit", "platform", "ports", "post_start", "pre_stop", "privileged", "profiles", "provider", "pull_policy",
            "read_only", "restart", "runtime", "scale", "secrets", "security_opt", "shm_size", "stdin_open", "stop_grace_period",
            "stop_signal", "storage_opt", "sysctls", "tmpfs", "tty", "ulimits", "use_api_socket", "user", "userns_mode", "uts",
            "volumes", "volumes_from", "working_dir");

    private static final Set<String> HEALTHCHECK = Set.of("test", "interval", "timeout", "retries", "start_period", "start_interval", "disable");

    private final Fields f = new Fields();

    /** The problems of {@code compose}, none when it is a Compose file this import can read. */
    static List<Problem> problems(JsonNode compose) {
        ComposeShape s = new ComposeShape();
        s.check(compose);
        return s.f.problems();
    }

    private void check(JsonNode compose) {
        known(compose, "", TOP);
        JsonNode services = compose.get("services");
        if (services == null || services.isNull()) {
            f.problem("services", "a Compose file has a map of services");
            return;
        }
        if (!f.isObject(services, "services")) return;
        if (services.isEmpty()) f.problem("services", "a Compose file has a map of services (this one is empty)");
        for (var e : iterable(services)) service("services." + e.getKey(), e.getValue());
        JsonNode volumes = compose.get("volumes");
        if (volumes != null && !volumes.isNull()) f.isObject(volumes, "volumes");
    }

    private void service(String at, JsonNode s) {
        if (s == null || s.isNull() || (s.isTextual() && s.asText().isEmpty())) {
            f.problem(at, "expected a map (image, command, ...), got nothing");
            return;
        }
        if (!f.isObject(s, at)) return;
        known(s, at, SERVICE);
        f.text(s.get("image"), at + ".image");
        words(s.get("command"), at + ".command");
        words(s.get("entrypoint"), at + ".entrypoint");
        environment(s.get("environment"), at + ".environment");
        dependsOn(s.get("depends_on"), at + ".depends_on");
        healthcheck(s.get("healthcheck"), at + ".healthcheck");
        list(s.get("ports"), at + ".ports", "a port such as \"8080\" or {target: 8080}", n -> n.isTextual() || n.isIntegralNumber() || n.isObject());
        list(s.get("volumes"), at + ".volumes", "a volume such as data:/var/lib/data or {type: volume, source: data, target: /var/lib/data}",
                n -> n.isTextual() || n.isObject());
        scalar(s.get("mem_limit"), at + ".mem_limit");
        scalar(s.get("cpus"), at + ".cpus");
        if (s.hasNonNull("pids_limit")) f.integer(s.get("pids_limit"), at + ".pids_limit", -1, Integer.MAX_VALUE);
        JsonNode deploy = s.get("deploy");
        if (f.isObject(deploy, at + ".deploy")) {
            JsonNode resources = deploy.get("resources");
            if (f.isObject(resources, at + ".deploy.resources")) {
                JsonNode limits = resources.get("limits");
                if (f.isObject(limits, at + ".deploy.resources.limits")) {
                    scalar(limits.get("memory"), at + ".deploy.resources.limits.memory");
                    scalar(limits.get("cpus"), at + ".deploy.resources.limits.cpus");
                    if (limits.hasNonNull("pids")) f.integer(limits.get("pids"), at + ".deploy.resources.limits.pids", -1, Integer.MAX_VALUE);
                }
            }
        }
    }

    /** Every field a known one or an {@code x-} extension; a wrong one named with the nearest known name. */
    private void known(JsonNode node, String at, Set<String> known) {
        node.fieldNames().forEachRemaining(k -> {
            if (known.contains(k) || k.startsWith("x-")) return;
            String near = nearest(k, known);
            f.problem(Fields.join(at, k), "not a Compose field" + (near == null ? "" : " (did you mean " + near + "?)"));
        });
    }

    private static String nearest(String word, Set<String> known) {
        String best = null;
        int bestDistance = 3;
        for (String k : known.stream().sorted().toList()) {
            int d = distance(word, k);
            if (d < bestDistance) {
                best = k;
                bestDistance = d;
            }
        }
        return best;
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    /** A command as Compose takes it: a string, or a list of strings (and numbers). */
    private void words(JsonNode n, String at) {
        if (n == null || n.isNull() || n.isTextual()) return;
        if (!n.isArray()) f.problem(at, "expected a string or a list of strings, got " + Fields.describe(n));
        else f.strings(n, at);
    }

    private void environment(JsonNode n, String at) {
        if (n == null || n.isNull()) return;
        if (n.isObject()) {
            for (var e : iterable(n)) {
                if (!e.getValue().isValueNode()) f.problem(at + "." + e.getKey(), "expected a string, got " + Fields.describe(e.getValue()));
            }
        } else if (n.isArray()) {
            f.strings(n, at);
        } else {
            f.problem(at, "expected a map of variables or a list of NAME=VALUE, got " + Fields.describe(n));
        }
    }

    private void dependsOn(JsonNode n, String at) {
        if (n == null || n.isNull()) return;
        if (n.isObject()) {
            for (var e : iterable(n)) {
                if (!e.getValue().isObject() && !e.getValue().isNull()) {
                    f.problem(at + "." + e.getKey(), "expected a map such as {condition: service_started}, got " + Fields.describe(e.getValue()));
                }
            }
        } else if (n.isArray()) {
            f.strings(n, at);
        } else {
            f.problem(at, "expected a list of services or a map of them, got " + Fields.describe(n));
        }
    }

    private void healthcheck(JsonNode n, String at) {
        if (!f.isObject(n, at)) return;
        known(n, at, HEALTHCHECK);
        words(n.get("test"), at + ".test");
        f.text(n.get("interval"), at + ".interval");
        f.text(n.get("timeout"), at + ".timeout");
    }

    private void list(JsonNode n, String at, String expected, java.util.function.Predicate<JsonNode> item) {
        if (n == null || n.isNull()) return;
        if (!n.isArray()) {
            f.problem(at, "expected a list, got " + Fields.describe(n));
            return;
        }
        for (int i = 0; i < n.size(); i++) {
            if (!item.test(n.get(i))) f.problem(at + "[" + i + "]", "expected " + expected + ", got " + Fields.describe(n.get(i)));
        }
    }

    private void scalar(JsonNode n, String at) {
        if (n != null && !n.isNull() && !n.isTextual() && !n.isNumber()) f.problem(at, "expected a number or a string, got " + Fields.describe(n));
    }

    private static Iterable<Map.Entry<String, JsonNode>> iterable(JsonNode n) {
        return n::fields;
    }
}
