package dev.steward.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A function's {@code function.yaml}: the runtime that runs it, its handler, how long one invocation
 * may take, its resources and environment, and the functions it may call.
 *
 * @param handler   python {@code main.handle}, node {@code index.handle}, java a class name, shell a script path
 * @param timeout   the most one invocation may take, queue included
 * @param resources limits of the worker that runs it ({@link Resources#NONE}: none)
 * @param calls     the functions it may invoke, each {@code same-worker} or {@code other-worker}
 * @param keepWarm  how long a worker stays warm after a reply before it is paused (zero: never paused)
 * @param idle      how long a paused worker is kept before it is removed
 * @param queueLimit how many invocations may wait for a worker; more are refused as overloaded
 */
public record FunctionManifest(FunctionRuntime runtime, String handler, Duration timeout, Resources resources,
                               Map<String, String> env, Map<String, CallKind> calls, Duration keepWarm, Duration idle, int queueLimit) {
    /** The file a function's directory holds at its root. */
    public static final String FILE = "function.yaml";
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    public static final Duration DEFAULT_KEEP_WARM = Duration.ofMillis(50);
    public static final Duration DEFAULT_IDLE = Duration.ofMinutes(10);
    public static final int DEFAULT_QUEUE_LIMIT = 1_000;
    private static final Set<String> KEYS = Set.of("runtime", "handler", "timeout", "resources", "env", "calls", "keep-warm", "idle", "queue-limit");
    private static final Pattern ENTRY = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)+");
    private static final Pattern NODE_ENTRY = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]*(/[A-Za-z0-9_][A-Za-z0-9_.-]*)*\\.[A-Za-z_$][A-Za-z0-9_$]*");
    private static final Pattern CLASS = Pattern.compile("[A-Za-z_$][A-Za-z0-9_$]*(\\.[A-Za-z_$][A-Za-z0-9_$]*)*");

    /** How a callee runs: in the caller's worker, or in a sibling worker. */
    public enum CallKind {
        SAME_WORKER, OTHER_WORKER;

        public String wire() {
            return name().toLowerCase().replace('_', '-');
        }

        static CallKind of(String s) {
            for (CallKind k : values()) if (k.wire().equals(s)) return k;
            throw new IllegalArgumentException("'" + s + "' (expected: same-worker or other-worker)");
        }
    }

    public FunctionManifest {
        if (queueLimit < 1) throw new IllegalArgumentException("queue-limit: " + queueLimit + " (expected: 1 or more)");
        env = Map.copyOf(env);
        calls = Map.copyOf(calls);
    }

    /** Parses {@code function.yaml} (YAML or JSON); every problem is listed, each naming its field. */
    public static FunctionManifest parse(String text) {
        ObjectNode tree = SpecParser.readTree(text);
        Fields f = new Fields();
        f.onlyKnown(tree, "", KEYS);
        FunctionRuntime runtime = f.parsed(tree.get("runtime"), "runtime", FunctionRuntime::of);
        if (!tree.has("runtime")) f.problem("runtime", "required (python, node, java or shell)");
        String handler = f.text(tree.get("handler"), "handler");
        if (!tree.has("handler")) f.problem("handler", "required (python main.handle, node index.handle, java a class name, shell a script)");
        else if (handler != null && runtime != null) handlerShape(f, runtime, handler);
        Duration timeout = f.duration(tree.get("timeout"), "timeout");
        if (timeout != null && timeout.isZero()) f.problem("timeout", "must be more than 0");
        Resources resources = f.resources(tree.get("resources"));
        Map<String, String> env = f.stringMap(tree.get("env"), "env");
        if (env != null && env.containsKey(SPIN_ENV) && !spinValid(env.get(SPIN_ENV))) {
            f.problem("env." + SPIN_ENV, "'" + env.get(SPIN_ENV) + "' (expected: microseconds from 0 to 1000000)");
        }
        Map<String, CallKind> calls = calls(f, tree.get("calls"));
        if (runtime == FunctionRuntime.SHELL && calls != null && !calls.isEmpty()) {
            f.problem("calls", "a shell function cannot call other functions");
        }
        Duration keepWarm = f.duration(tree.get("keep-warm"), "keep-warm");
        Duration idle = f.duration(tree.get("idle"), "idle");
        if (idle != null && idle.isZero()) f.problem("idle", "must be more than 0");
        Integer queueLimit = f.integer(tree.get("queue-limit"), "queue-limit", 1, 1_000_000);
        if (!f.problems().isEmpty()) throw new InvalidSpecException(f.problems());
        return new FunctionManifest(runtime, handler, timeout == null ? DEFAULT_TIMEOUT : timeout, resources,
                env == null ? Map.of() : env, calls == null ? Map.of() : calls, keepWarm == null ? DEFAULT_KEEP_WARM : keepWarm,
                idle == null ? DEFAULT_IDLE : idle, queueLimit == null ? DEFAULT_QUEUE_LIMIT : queueLimit);
    }

    private static void handlerShape(Fields f, FunctionRuntime runtime, String handler) {
        String expected = switch (runtime) {
            case PYTHON -> ENTRY.matcher(handler).matches() ? null : "a module and a function, like main.handle";
            case NODE -> NODE_ENTRY.matcher(handler).matches() && !List.of(handler.split("/")).contains("..")
                    ? null : "a module and a function, like index.handle";
            case JAVA -> CLASS.matcher(handler).matches() ? null : "a class name, like com.example.Echo";
            case SHELL -> relativePath(handler) ? null : "a script inside the function, like handler.sh";
        };
        if (expected != null) f.problem("handler", "'" + handler + "' is not a " + runtime.wire() + " handler (expected: " + expected + ")");
    }

    /**
     * How long a caller waiting for its reply from a process beside (a same-worker callee of another runtime) looks for it
     * before it sleeps, in microseconds; read by every runtime's worker from the function's env.
     */
    public static final String SPIN_ENV = "STEWARD_SIDE_SPIN_US";

    private static boolean spinValid(String v) {
        String s = v.strip();
        if (s.isEmpty() || s.length() > 7 || !s.chars().allMatch(c -> c >= '0' && c <= '9')) return false;
        return Integer.parseInt(s) <= 1_000_000;
    }

    private static boolean relativePath(String p) {
        String plain = p.startsWith("./") ? p.substring(2) : p;
        return !plain.isEmpty() && !p.startsWith("/") && !List.of(plain.split("/")).contains("..") && !plain.contains("\0");
    }

    private static Map<String, CallKind> calls(Fields f, JsonNode node) {
        if (!f.isObject(node, "calls")) return null;
        Map<String, CallKind> out = new LinkedHashMap<>();
        node.fields().forEachRemaining(e -> {
            String field = Fields.join("calls", e.getKey());
            String problem = Names.problem(e.getKey());
            if (problem != null) f.problem(field, problem);
            CallKind kind = f.parsed(e.getValue(), field, CallKind::of);
            if (problem == null && kind != null) out.put(e.getKey(), kind);
        });
        return out;
    }

    /** The handler's file, relative to the function's root: what must be there for the handler to load. */
    public String handlerFile() {
        return switch (runtime) {
            case PYTHON -> handler.substring(0, handler.lastIndexOf('.')).replace('.', '/') + ".py";
            case NODE -> handler.substring(0, handler.lastIndexOf('.')) + ".js";
            case JAVA -> null; // a class in the function's jars or classes/
            case SHELL -> handler.startsWith("./") ? handler.substring(2) : handler;
        };
    }
}
