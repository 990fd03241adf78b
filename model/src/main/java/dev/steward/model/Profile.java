package dev.steward.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * How an app runs: its queue, its pool of workers and their timeouts, and the isolate they run in.
 * Timeouts are given as durations ({@code 30s}) or as numbers of seconds, as older profiles wrote them.
 *
 * @param queueLimit         events waiting for a worker; 0 means unbounded
 * @param poolLimit          most workers
 * @param concurrency        most sessions on one worker
 * @param growThreshold      queued events per worker before the pool grows
 * @param heartbeatTimeout   a worker silent this long is killed
 * @param idleTimeout        a worker with no session this long is told to terminate; zero disables
 * @param startupTimeout     from spawn to the first heartbeat
 * @param terminationTimeout on stop, how long workers get before they are killed
 * @param isolate            {@code process}, {@code sandbox} or {@code container}
 * @param isolateArgs        the isolate's arguments, as given
 */
public record Profile(int queueLimit, int poolLimit, int concurrency, int growThreshold, Duration heartbeatTimeout,
                      Duration idleTimeout, Duration startupTimeout, Duration terminationTimeout, String isolate,
                      Map<String, Object> isolateArgs) {
    private static final com.fasterxml.jackson.databind.ObjectMapper MAPPER = new com.fasterxml.jackson.databind.ObjectMapper();
    public static final Set<String> ISOLATES = Set.of("process", "sandbox", "container");
    private static final Set<String> KEYS = Set.of("queue-limit", "pool-limit", "concurrency", "grow-threshold", "spawn-threshold",
            "heartbeat-timeout", "idle-timeout", "startup-timeout", "termination-timeout", "isolate", "crashlog-limit", "log-output");
    /** Fields of Cocaine 0.11's profiles that are taken and not used, with why. */
    static final Map<String, String> UNUSED = Map.of(
            "crashlog-limit", "accepted, not used: Steward keeps the last lines of a worker that crashed (app info) and its log (app logs)",
            "log-output", "accepted, not used: what workers write always goes to their logs (app logs)");

    public Profile {
        isolateArgs = Map.copyOf(isolateArgs);
    }

    /** The defaults of every key. */
    public static Profile defaults() {
        return read(SpecParser.readTree("{}"));
    }

    /** What a profile holds that is taken and not used (Cocaine 0.11's fields), each as "field: why". */
    public static java.util.List<String> warnings(String text) {
        if (text == null || text.isBlank()) return java.util.List.of();
        return Fields.unused(SpecParser.readTree(text), UNUSED);
    }

    /** Parses a profile (YAML or JSON); every problem is listed with its key. */
    public static Profile parse(String text) {
        if (text == null || text.isBlank()) return defaults();
        return read(SpecParser.readTree(text));
    }

    static Profile read(ObjectNode tree) {
        Fields f = new Fields();
        f.onlyKnown(tree, "", KEYS);
        if (tree.has("grow-threshold") && tree.has("spawn-threshold")) f.problem("spawn-threshold", "give grow-threshold or spawn-threshold, not both");
        Integer queue = f.integer(tree.get("queue-limit"), "queue-limit", 0, 10_000_000);
        Integer pool = f.integer(tree.get("pool-limit"), "pool-limit", 1, 10_000);
        Integer concurrency = f.integer(tree.get("concurrency"), "concurrency", 1, 100_000);
        String growKey = tree.has("spawn-threshold") ? "spawn-threshold" : "grow-threshold";
        Integer grow = f.integer(tree.get(growKey), growKey, 1, 10_000_000);
        Duration heartbeat = seconds(f, tree.get("heartbeat-timeout"), "heartbeat-timeout", false);
        Duration idle = seconds(f, tree.get("idle-timeout"), "idle-timeout", true);
        Duration startup = seconds(f, tree.get("startup-timeout"), "startup-timeout", false);
        Duration termination = seconds(f, tree.get("termination-timeout"), "termination-timeout", true);
        String isolate = "process";
        Map<String, Object> args = Map.of();
        JsonNode iso = tree.get("isolate");
        if (f.isObject(iso, "isolate")) {
            f.onlyKnown(iso, "isolate", Set.of("type", "args"));
            String type = f.text(iso.get("type"), "isolate.type");
            if (type == null) f.problem("isolate.type", "required (process, sandbox or container)");
            else if (!ISOLATES.contains(type)) f.problem("isolate.type", "'" + type + "' is not an isolate (expected: process, sandbox or container)");
            else isolate = type;
            if (f.isObject(iso.get("args"), "isolate.args")) args = MAPPER.convertValue(iso.get("args"), Map.class);
            if ("container".equals(type) && !args.containsKey("image")) f.problem("isolate.args.image", "the container isolate needs an image");
        }
        if (!f.problems().isEmpty()) throw new InvalidSpecException(f.problems());
        int q = queue == null ? 100 : queue;
        int p = pool == null ? 10 : pool;
        int g = grow != null ? grow : Math.max(1, q / p / 2);
        return new Profile(q, p, concurrency == null ? 10 : concurrency, g,
                heartbeat == null ? Duration.ofSeconds(30) : heartbeat, idle == null ? Duration.ofSeconds(600) : idle,
                startup == null ? Duration.ofSeconds(10) : startup, termination == null ? Duration.ofSeconds(5) : termination, isolate, args);
    }

    /** A duration or a number of seconds (older profiles); zero only where allowed. */
    private static Duration seconds(Fields f, JsonNode node, String field, boolean zeroAllowed) {
        Duration d;
        if (node != null && node.isNumber()) {
            double s = node.doubleValue();
            if (s < 0 || s > 86_400 * 365) {
                f.problem(field, node.asText() + " seconds (expected: 0 to a year)");
                return null;
            }
            d = Duration.ofNanos((long) (s * 1e9));
        } else {
            d = f.duration(node, field);
        }
        if (d != null && d.isZero() && !zeroAllowed) {
            f.problem(field, "must be more than 0");
            return null;
        }
        return d;
    }
}
