package dev.steward.agent.functions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.stream.Stream;

/**
 * The workflows in flight. A workflow is a top-level invocation and every call made under it: they
 * share one directory ({@code DATA/workflows/ID}, the same path in every worker of the node, sandboxed
 * or not, so data passes through files), each has a scratch directory of its own inside it, and the
 * directory goes when the last of them ends. Workers make the directories when a handler first asks
 * for them. An invocation whose worker may call other-worker functions is given a token, valid while
 * it runs, with which its handler's calls come back to the agent ({@link CallDoor}).
 */
final class Workflows {
    /** How deep calls may nest in a workflow, same-worker and other-worker alike. */
    static final int MAX_DEPTH = 32;
    private final Path root;
    private final LongSupplier nanos;
    private final Map<String, Invocation> byToken = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();
    private final AtomicLong ids = new AtomicLong();

    /** One top-level invocation's directory and the count of invocations under it still running. */
    static final class Flow {
        final Path dir;
        final AtomicInteger open = new AtomicInteger();
        final AtomicInteger scratches = new AtomicInteger();

        Flow(Path dir) {
            this.dir = dir;
        }
    }

    /**
     * One invocation in a workflow: its function, how deep it is, when it must be done, its scratch
     * directory, the other-worker callees of each function its worker runs, and its token (empty when
     * its worker may call none).
     */
    record Invocation(Flow flow, String function, int depth, long deadline, Path scratch, Map<String, Set<String>> otherCalls, String token) {
        /** The event its worker is sent: {@code NAME TAB WORKFLOW-DIR TAB SCRATCH-DIR TAB DEPTH TAB TOKEN}. */
        String event() {
            return function + '\t' + flow.dir + '\t' + scratch + '\t' + depth + '\t' + token;
        }
    }

    Workflows(Path root, LongSupplier nanos) throws IOException {
        this.root = root;
        this.nanos = nanos;
        Files.createDirectories(root);
        try (Stream<Path> left = Files.list(root)) { // a previous run's, ended with it
            for (Path p : left.toList()) deleteTree(p);
        }
    }

    /**
     * Begins an invocation of {@code function} with {@code timeout} at {@code depth}: a new workflow when
     * {@code parent} is null, else a call within the parent's; it has a token when its worker may call others.
     */
    Invocation begin(Invocation parent, int depth, String function, java.time.Duration timeout, Map<String, Set<String>> otherCalls) {
        Flow flow = parent == null ? new Flow(root.resolve(Long.toString(ids.incrementAndGet(), 36))) : parent.flow;
        flow.open.incrementAndGet();
        Path scratch = flow.dir.resolve(function + "." + flow.scratches.incrementAndGet());
        boolean calls = otherCalls.values().stream().anyMatch(s -> !s.isEmpty());
        String token = calls ? token() : "";
        Invocation inv = new Invocation(flow, function, depth, nanos.getAsLong() + timeout.toNanos(), scratch, otherCalls, token);
        if (calls) byToken.put(token, inv);
        return inv;
    }

    private String token() {
        byte[] b = new byte[16];
        random.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /** The invocation ended: its token goes; the workflow's directory goes with its last invocation. */
    void end(Invocation inv) {
        if (!inv.token.isEmpty()) byToken.remove(inv.token, inv);
        if (inv.flow.open.decrementAndGet() == 0 && Files.exists(inv.flow.dir)) {
            Thread.ofVirtual().name("steward-fn-workflow-rm").start(() -> deleteTree(inv.flow.dir));
        }
    }

    /**
     * The invocation behind {@code token} as the caller of {@code callee} from its function {@code caller}
     * at depth {@code depth} (its worker's count, same-worker calls included; the callee's is one more);
     * an {@link IllegalArgumentException} says why the call is refused.
     */
    Invocation caller(String token, String caller, String callee, int depth) {
        Invocation inv = token.isEmpty() ? null : byToken.get(token);
        if (inv == null) throw new IllegalArgumentException("the invocation that calls " + callee + " has ended (or never was)");
        Set<String> declared = inv.otherCalls.get(caller);
        if (declared == null) throw new IllegalArgumentException("function " + caller + " does not run in the calling worker");
        if (!declared.contains(callee)) throw new IllegalArgumentException("function " + caller + " does not declare " + callee + " in calls: as other-worker");
        if (Math.max(depth, inv.depth) + 1 >= MAX_DEPTH) throw new IllegalArgumentException("function " + callee + ": calls nest deeper than " + MAX_DEPTH);
        return inv;
    }

    /** The time {@code inv} has left (at least a nanosecond: a call past it times out at once). */
    java.time.Duration left(Invocation inv) {
        return java.time.Duration.ofNanos(Math.max(1, inv.deadline - nanos.getAsLong()));
    }

    static void deleteTree(Path p) {
        try (Stream<Path> all = Files.walk(p)) {
            for (Path x : all.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(x);
        } catch (IOException | java.io.UncheckedIOException e) {
            // a worker still writing there: what is left goes at the next start
        }
    }
}
