package dev.steward.agent.spool;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Where a symbolic link leads, resolved as the kernel would, part by part: each link met on the way
 * is replaced by its target, so {@code ..} after a link climbs from where the link leads, not from
 * where its name is. Parts that do not exist yet are taken by name.
 */
final class Links {
    /** The most links followed in one resolution, as Linux allows. */
    static final int MAX_HOPS = 40;

    private Links() {}

    /**
     * Why a link in the directory {@code from} (parts below {@code root}) to {@code target} is refused,
     * or null when it stays inside {@code root}.
     */
    static String problem(Path root, List<String> from, String target) throws IOException {
        Deque<String> todo = new ArrayDeque<>();
        push(todo, target);
        List<String> at = new ArrayList<>(from);
        int hops = 0;
        while (!todo.isEmpty()) {
            String part = todo.pollFirst();
            if (part.isEmpty() || part.equals(".")) continue;
            if (part.equals("..")) {
                if (at.isEmpty()) return "leads outside the archive";
                at.removeLast();
                continue;
            }
            at.add(part);
            Path p = root.resolve(String.join("/", at));
            if (!Files.isSymbolicLink(p)) continue;
            if (++hops > MAX_HOPS) return "goes through more than " + MAX_HOPS + " symbolic links";
            String next = Files.readSymbolicLink(p).toString();
            if (next.startsWith("/")) return "leads to an absolute path";
            at.removeLast();
            push(todo, next);
        }
        return null;
    }

    /** Puts the parts of {@code path} first in {@code todo}, in order. */
    private static void push(Deque<String> todo, String path) {
        String[] parts = path.split("/");
        for (int i = parts.length - 1; i >= 0; i--) todo.addFirst(parts[i]);
    }
}
