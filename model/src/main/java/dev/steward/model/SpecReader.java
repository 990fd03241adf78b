package dev.steward.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Reads one spec tree field by field; problems go to {@link Fields}. */
final class SpecReader {
    private static final Set<String> TOP = Set.of("kind", "name", "description", "command", "dir", "env", "isolate",
            "image", "user", "resources", "policy", "instances", "linger", "restart", "ping", "ping-only", "route", "needs", "administrators", "placement",
            "parts", "entrypoint", "paths", "idle");
    private static final Set<String> ISOLATES = Set.of("process", "sandbox", "container");
    /** A node label's name, as {@code --labels} takes it. */
    private static final String LABEL = "[a-z0-9]([a-z0-9._/-]{0,61}[a-z0-9])?";
    private static final Duration DEFAULT_LINGER = Duration.ofSeconds(30);

    private final Fields f;
    private final ObjectNode tree;
    private final Path baseDir;

    SpecReader(Fields f, ObjectNode tree, Path baseDir) {
        this.f = f;
        this.tree = tree;
        this.baseDir = baseDir;
    }

    Spec read() {
        f.onlyKnown(tree, "", TOP);
        Kind kind = kind();
        String name = f.text(tree.get("name"), "name");
        if (name == null && !tree.has("name")) f.problem("name", "a name is required");
        else if (name != null && Names.problem(name) != null) f.problem("name", Names.problem(name));
        f.text(tree.get("description"), "description");
        URI pingOnly = pingOnly();
        boolean hasParts = tree.has("parts");
        List<String> command = hasParts ? List.of() : command(tree.has("ping-only"));
        String dir = dir();
        Map<String, String> env = SpecParser.emptyIfNull(f.stringMap(tree.get("env"), "env"));
        IsolateSpec isolate = withUser(isolate(tree.has("resources")));
        String image = f.text(tree.get("image"), "image");
        if (image != null && (isolate == null || !isolate.type().equals("container"))) f.problem("image", "only the container isolate takes an image");
        if (image == null && isolate != null && isolate.type().equals("container")) f.problem("image", "the container isolate needs an image");
        Resources resources = resources();
        PolicyKind policy = policy(kind);
        Instances instances = instances(policy);
        Duration linger = linger(policy);
        RestartPolicy restart = restart(tree.get("restart"), "restart");
        Ping ping = ping(kind, pingOnly != null, tree.get("ping"), "ping");
        Route route = route();
        List<String> needs = needs(name);
        List<String> administrators = administrators();
        Placement placement = placement(name);
        Parts parts = new PartsReader(f, tree, this::ping, this::restart).read(kind, restart);
        if (!f.problems().isEmpty()) return null;
        try {
            return new Spec(kind, name, command, dir, env, isolate, image, resources, policy, instances, linger,
                    restart, ping, pingOnly, route, needs, administrators, placement, parts);
        } catch (IllegalArgumentException e) {
            f.problem("", e.getMessage());
            return null;
        }
    }

    private Kind kind() {
        String k = f.text(tree.get("kind"), "kind");
        if (k == null) return Kind.SERVICE;
        return switch (k) {
            case "service" -> Kind.SERVICE;
            case "job" -> Kind.JOB;
            case "app", "function" -> {
                f.problem("kind", "'" + k + "' specs are registered with 'steward " + (k.equals("app") ? "app upload" : "fn add") + "'");
                yield Kind.SERVICE;
            }
            default -> {
                f.problem("kind", "'" + k + "' is not a kind (expected: service or job)");
                yield Kind.SERVICE;
            }
        };
    }

    private List<String> command(boolean pingOnly) {
        JsonNode node = tree.get("command");
        if (pingOnly) {
            if (node != null) f.problem("command", "a ping-only service is not run, so it takes no command");
            return List.of();
        }
        if (node == null || node.isNull()) {
            f.problem("command", "a command is required");
            return List.of();
        }
        if (node.isTextual()) {
            if (node.asText().isBlank()) f.problem("command", "the command is empty");
            return List.of("/bin/sh", "-c", node.asText());
        }
        List<String> cmd = f.strings(node, "command");
        if (cmd != null && cmd.isEmpty()) f.problem("command", "the command is empty");
        return cmd == null ? List.of() : cmd;
    }

    private String dir() {
        String d = f.text(tree.get("dir"), "dir");
        if (d == null) return null;
        Path p = baseDir == null ? Path.of(d) : baseDir.resolve(d);
        p = p.toAbsolutePath().normalize();
        String n = p.getFileName() == null ? "" : p.getFileName().toString();
        boolean archive = Files.isRegularFile(p) && (n.endsWith(".tar.gz") || n.endsWith(".tgz") || n.endsWith(".tar") || n.endsWith(".zip"));
        if (!Files.isDirectory(p) && !archive) {
            f.problem("dir", "'" + p + "' is not a directory nor a .tar.gz, .tgz, .tar or .zip archive");
            return null;
        }
        tree.put("dir", p.toString());
        return p.toString();
    }

    private IsolateSpec withUser(IsolateSpec isolate) {
        String user = f.text(tree.get("user"), "user");
        if (user == null) return isolate;
        if (!user.matches("[a-z_][a-z0-9_-]{0,31}|\\d{1,10}")) {
            f.problem("user", "'" + user + "' is not a user name or id");
            return isolate;
        }
        if (isolate.type().equals("container")) {
            f.problem("user", "a container runs as its image's user (set USER in the image)");
            return isolate;
        }
        java.util.Map<String, String> options = new java.util.HashMap<>(isolate.options());
        options.put("user", user);
        return new IsolateSpec(isolate.type(), options);
    }

    private IsolateSpec isolate(boolean hasResources) {
        JsonNode node = tree.get("isolate");
        // Limits need a cgroup: a spec with resources and no isolate runs in the sandbox.
        if (node == null || node.isNull()) return hasResources ? new IsolateSpec("sandbox", Map.of()) : IsolateSpec.PROCESS;
        String type;
        Map<String, String> options = Map.of();
        if (node.isObject()) {
            type = f.text(node.get("type"), "isolate.type");
            if (type == null) f.problem("isolate.type", "an isolate type is required");
            JsonNode opts = node.get("options");
            if (opts != null) options = SpecParser.emptyIfNull(f.stringMap(opts, "isolate.options"));
            f.onlyKnown(node, "isolate", Set.of("type", "options"));
        } else {
            type = f.text(node, "isolate");
        }
        if (type == null) return IsolateSpec.PROCESS;
        if (!ISOLATES.contains(type)) {
            f.problem(node.isObject() ? "isolate.type" : "isolate", "'" + type + "' is not an isolate (expected: process, sandbox or container)");
            return IsolateSpec.PROCESS;
        }
        if (type.equals("sandbox")) sandboxOptions(options);
        else if (type.equals("process") && tree.has("resources")) f.problem("resources", "the process isolate cannot enforce limits; use isolate: sandbox");
        return new IsolateSpec(type, options);
    }

    private void sandboxOptions(Map<String, String> options) {
        for (var e : options.entrySet()) {
            switch (e.getKey()) {
                case "network" -> {
                    if (!e.getValue().equals("host") && !e.getValue().equals("none")) {
                        f.problem("isolate.options.network", "'" + e.getValue() + "' (expected: host or none)");
                    }
                }
                case "user" -> f.problem("isolate.options.user", "give the user as the spec's top-level user field");
                default -> f.problem("isolate.options." + e.getKey(), "unknown sandbox option (expected: network)");
            }
        }
    }

    private Resources resources() {
        return f.resources(tree.get("resources"));
    }

    private PolicyKind policy(Kind kind) {
        PolicyKind p = f.parsed(tree.get("policy"), "policy", PolicyKind::of);
        if (kind == Kind.JOB && tree.has("policy")) f.problem("policy", "a job runs to completion and takes no policy");
        return p == null ? PolicyKind.PERMANENT : p;
    }

    private Instances instances(PolicyKind policy) {
        JsonNode node = tree.get("instances");
        if (node == null || node.isNull()) return policy == PolicyKind.DYNAMIC ? new Instances(0, 8, 10) : Instances.fixed(1);
        if (node.isObject()) {
            if (policy != PolicyKind.DYNAMIC) f.problem("instances", "a range {min, max} is only for the dynamic policy; give a number");
            f.onlyKnown(node, "instances", Set.of("min", "max", "target-concurrency", "stable-window", "panic-window"));
            Integer min = f.integer(node.get("min"), "instances.min", 0, Instances.LIMIT);
            Integer max = f.integer(node.get("max"), "instances.max", 1, Instances.LIMIT);
            Integer target = f.integer(node.get("target-concurrency"), "instances.target-concurrency", 1, 1_000_000);
            int lo = min == null ? 0 : min;
            int hi = max == null ? Math.max(lo, 8) : max;
            if (lo > hi) {
                f.problem("instances.min", "min " + lo + " is more than max " + hi);
                return Instances.fixed(1);
            }
            Duration stable = f.duration(node.get("stable-window"), "instances.stable-window");
            Duration panic = f.duration(node.get("panic-window"), "instances.panic-window");
            Duration st = stable == null ? Instances.STABLE_WINDOW : stable;
            Duration pa = panic == null ? (stable == null ? Instances.PANIC_WINDOW : st.dividedBy(10)) : panic;
            if (st.compareTo(Duration.ofSeconds(1)) < 0) f.problem("instances.stable-window", st.toMillis() + "ms is under the least, 1s");
            else if (pa.isZero() || pa.compareTo(st) > 0) f.problem("instances.panic-window", "must be more than 0 and at most the stable window");
            else return new Instances(lo, hi, target == null ? 10 : target, st, pa);
            return Instances.fixed(1);
        }
        Integer n = f.integer(node, "instances", policy == PolicyKind.DYNAMIC ? 0 : 1, Instances.LIMIT);
        if (n == null) return Instances.fixed(1);
        return policy == PolicyKind.DYNAMIC ? new Instances(0, Math.max(1, n), 10) : Instances.fixed(n);
    }

    private Duration linger(PolicyKind policy) {
        Duration d = f.duration(tree.get("linger"), "linger");
        if (d != null && policy != PolicyKind.LINGERING) f.problem("linger", "only the lingering policy takes linger");
        return d == null ? DEFAULT_LINGER : d;
    }

    /** The restart settings at {@code field} (the spec's, or a part's); the defaults when not given. */
    private RestartPolicy restart(JsonNode node, String field) {
        if (!f.isObject(node, field)) return RestartPolicy.DEFAULT;
        f.onlyKnown(node, field, Set.of("delay", "max-delay", "failures-limit", "window"));
        RestartPolicy d = RestartPolicy.DEFAULT;
        Duration delay = f.duration(node.get("delay"), field + ".delay");
        Duration maxDelay = f.duration(node.get("max-delay"), field + ".max-delay");
        Integer limit = f.integer(node.get("failures-limit"), field + ".failures-limit", 1, 1_000_000);
        Duration window = f.duration(node.get("window"), field + ".window");
        if (window != null && window.isZero()) f.problem(field + ".window", "must be more than 0");
        delay = delay == null ? d.delay() : delay;
        maxDelay = maxDelay == null ? (delay.compareTo(d.maxDelay()) > 0 ? delay : d.maxDelay()) : maxDelay;
        if (maxDelay.compareTo(delay) < 0) {
            f.problem(field + ".max-delay", Durations.format(maxDelay) + " is less than delay " + Durations.format(delay));
            return d;
        }
        return new RestartPolicy(delay, maxDelay, limit == null ? d.failuresLimit() : limit,
                window == null || window.isZero() ? d.window() : window);
    }

    /** The ping at {@code field} (the spec's, or a part's). */
    Ping ping(Kind kind, boolean pingOnly, JsonNode node, String field) {
        if (node == null || node.isNull()) {
            if (kind == Kind.JOB) return null;
            return pingOnly ? new Ping(new Ping.Check.Tcp(), Ping.DEFAULT_INTERVAL, Ping.DEFAULT_TIMEOUT, 1, 3) : Ping.tcpDefault();
        }
        if (kind == Kind.JOB) {
            f.problem(field, "a job is not pinged");
            return null;
        }
        if ((node.isTextual() && node.asText().equals("none")) || (node.isBoolean() && !node.booleanValue())) {
            if (pingOnly) f.problem(field, "a ping-only service must be pinged");
            return null;
        }
        if (!f.isObject(node, field)) return null;
        f.onlyKnown(node, field, Set.of("http", "tcp", "exec", "interval", "timeout", "successes", "failures"));
        List<Ping.Check> checks = new java.util.ArrayList<>();
        if (node.has("http")) {
            String path = f.text(node.get("http"), field + ".http");
            if (path != null && !path.startsWith("/")) f.problem(field + ".http", "'" + path + "' must start with /");
            else if (path != null) checks.add(new Ping.Check.Http(path));
        }
        if (node.has("tcp")) {
            Boolean tcp = f.bool(node.get("tcp"), field + ".tcp");
            if (Boolean.TRUE.equals(tcp)) checks.add(new Ping.Check.Tcp());
        }
        if (node.has("exec")) {
            List<String> cmd = f.strings(node.get("exec"), field + ".exec");
            if (cmd != null && cmd.isEmpty()) f.problem(field + ".exec", "the command is empty");
            else if (cmd != null) checks.add(new Ping.Check.Exec(cmd));
        }
        if (checks.size() > 1) f.problem(field, "give one of http, tcp or exec, not several");
        if (checks.isEmpty() && !node.has("http") && !node.has("tcp") && !node.has("exec")) f.problem(field, "one of http, tcp or exec is required");
        Duration interval = f.duration(node.get("interval"), field + ".interval");
        if (interval != null && interval.toMillis() < 10) f.problem(field + ".interval", "must be at least 10ms");
        Duration timeout = f.duration(node.get("timeout"), field + ".timeout");
        if (timeout != null && timeout.isZero()) f.problem(field + ".timeout", "must be more than 0");
        Integer successes = f.integer(node.get("successes"), field + ".successes", 1, 100);
        Integer failures = f.integer(node.get("failures"), field + ".failures", 1, 100);
        if (checks.size() != 1) return null;
        return new Ping(checks.get(0), interval == null || interval.toMillis() < 10 ? Ping.DEFAULT_INTERVAL : interval,
                timeout == null || timeout.isZero() ? Ping.DEFAULT_TIMEOUT : timeout,
                successes == null ? 1 : successes, failures == null ? 3 : failures);
    }

    private URI pingOnly() {
        JsonNode node = tree.get("ping-only");
        if (!f.isObject(node, "ping-only")) return null;
        f.onlyKnown(node, "ping-only", Set.of("endpoint"));
        String endpoint = f.text(node.get("endpoint"), "ping-only.endpoint");
        if (endpoint == null) {
            if (!node.has("endpoint")) f.problem("ping-only.endpoint", "an endpoint is required");
            return null;
        }
        try {
            URI uri = new URI(endpoint);
            if (uri.getHost() == null || uri.getPort() < 1 || !List.of("http", "tcp").contains(String.valueOf(uri.getScheme()))) {
                f.problem("ping-only.endpoint", "'" + endpoint + "' (expected: http://HOST:PORT or tcp://HOST:PORT)");
                return null;
            }
            return uri;
        } catch (URISyntaxException e) {
            f.problem("ping-only.endpoint", "'" + endpoint + "' is not a URI: " + e.getReason());
            return null;
        }
    }

    private Placement placement(String self) {
        JsonNode node = tree.get("placement");
        if (!f.isObject(node, "placement")) return Placement.ANY;
        f.onlyKnown(node, "placement", Set.of("node-labels", "spread", "affinity", "anti-affinity"));
        Map<String, String> labels = f.stringMap(node.get("node-labels"), "placement.node-labels");
        if (labels != null) {
            labels.forEach((k, v) -> {
                if (!k.matches(LABEL)) f.problem("placement.node-labels." + k, "'" + k + "' is not a label name (expected: lowercase letters, digits, '.', '_', '/', '-'; up to 63)");
                if (v.isEmpty()) f.problem("placement.node-labels." + k, "the value is empty");
            });
        }
        String spread = f.text(node.get("spread"), "placement.spread");
        if (spread != null && !spread.matches(LABEL)) f.problem("placement.spread", "'" + spread + "' is not a label name (expected: lowercase letters, digits, '.', '_', '/', '-'; up to 63)");
        String itself = "'" + self + "' is this service itself (expected: other services)";
        List<String> with = services(node.get("affinity"), "placement.affinity", self, itself);
        List<String> apart = services(node.get("anti-affinity"), "placement.anti-affinity", self, itself);
        if (with != null && apart != null) {
            with.stream().filter(apart::contains).forEach(n -> f.problem("placement", "'" + n + "' is in both affinity and anti-affinity"));
        }
        return new Placement(labels, spread, with, apart);
    }

    /** A list of other services' names ({@code needs:}, and placement's affinity and anti-affinity). */
    private List<String> services(JsonNode node, String field, String self, String selfProblem) {
        List<String> names = f.strings(node, field);
        if (names == null) return null;
        for (int i = 0; i < names.size(); i++) {
            String n = names.get(i);
            String problem = Names.problem(n);
            if (problem != null) f.problem(field + "[" + i + "]", problem);
            else if (n.equals(self)) f.problem(field + "[" + i + "]", selfProblem);
        }
        if (names.stream().distinct().count() != names.size()) f.problem(field, "a name is listed twice");
        return names;
    }

    private Route route() {
        JsonNode node = tree.get("route");
        if (!f.isObject(node, "route")) return null;
        f.onlyKnown(node, "route", Set.of("path", "host", "strip", "balance", "latency", "timeout", "max-body", "max-connecting"));
        String path = f.text(node.get("path"), "route.path");
        if (path != null && (!path.startsWith("/") || path.contains(".."))) f.problem("route.path", "'" + path + "' must start with / and not contain '..'");
        String host = f.text(node.get("host"), "route.host");
        if (host != null && !host.matches("[A-Za-z0-9.-]{1,253}")) f.problem("route.host", "'" + host + "' is not a host name");
        Boolean strip = f.bool(node.get("strip"), "route.strip");
        Route.Balance balance = f.parsed(node.get("balance"), "route.balance", Route.Balance::of);
        Route.Latency latency = latency(node.get("latency"));
        Duration timeout = f.duration(node.get("timeout"), "route.timeout");
        if (timeout != null && timeout.isZero()) f.problem("route.timeout", "must be more than 0");
        Long maxBody = f.size(node.get("max-body"), "route.max-body");
        if (maxBody != null && maxBody == 0) f.problem("route.max-body", "must be more than 0");
        Integer maxConnecting = f.integer(node.get("max-connecting"), "route.max-connecting", 1, 100_000);
        return new Route(path, host, strip == null || strip, balance, latency, timeout, maxBody == null ? 0 : maxBody,
                maxConnecting == null ? 0 : maxConnecting);
    }

    private Route.Latency latency(JsonNode node) {
        if (!f.isObject(node, "route.latency")) return null;
        f.onlyKnown(node, "route.latency", Set.of("soft", "hard"));
        Duration soft = f.duration(node.get("soft"), "route.latency.soft");
        Duration hard = f.duration(node.get("hard"), "route.latency.hard");
        if (soft == null && hard == null) {
            f.problem("route.latency", "give soft, hard or both");
            return null;
        }
        if (soft != null && hard != null && hard.compareTo(soft) < 0) f.problem("route.latency.hard", "is less than soft");
        return new Route.Latency(soft == null ? hard : soft, hard == null ? Duration.ofDays(1) : hard);
    }


    /** The names (of tokens) that may change or stop it besides its owner and admin tokens. */
    private List<String> administrators() {
        List<String> names = f.strings(tree.get("administrators"), "administrators");
        if (names == null) return List.of();
        for (int i = 0; i < names.size(); i++) {
            String problem = Names.problem(names.get(i));
            if (problem != null) f.problem("administrators[" + i + "]", problem);
        }
        return names;
    }

    private List<String> needs(String self) {
        List<String> needs = services(tree.get("needs"), "needs", self, "a service cannot need itself");
        return needs == null ? List.of() : needs;
    }
}
