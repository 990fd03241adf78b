package dev.steward.agent.dynamic;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;

/**
 * An instance's data on disk: inputs copied in, outputs copied out, state folders saved (in full, then put in
 * place of the earlier save, so a save never loses the one before) and restored. Links are copied as links.
 */
final class DataFolders {
    private DataFolders() {}

    /** Copies the tree {@code from} into {@code to} (made when missing), leaving out names that {@code exclude} matches. */
    static void copy(Path from, Path to, List<String> exclude) throws IOException {
        List<PathMatcher> matchers = exclude.stream().map(g -> FileSystems.getDefault().getPathMatcher("glob:" + g)).toList();
        Files.createDirectories(to);
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                if (!dir.equals(from) && excluded(dir, matchers)) return FileVisitResult.SKIP_SUBTREE;
                Files.createDirectories(to.resolve(from.relativize(dir).toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                if (!excluded(file, matchers)) {
                    Files.copy(file, to.resolve(from.relativize(file).toString()), StandardCopyOption.REPLACE_EXISTING,
                            StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
                }
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static boolean excluded(Path p, List<PathMatcher> matchers) {
        Path name = p.getFileName();
        return name != null && matchers.stream().anyMatch(m -> m.matches(name));
    }

    /**
     * Copies each saved state folder back into the instance's {@code root}; none saved yet is no failure. A save cut
     * short between its two moves left only the one before, beside: that one is restored.
     */
    static int restore(Path saved, Path root, List<String> state) throws IOException {
        if (!Files.isDirectory(saved)) saved = saved.resolveSibling(saved.getFileName() + ".old");
        int restored = 0;
        for (String s : state) {
            Path from = saved.resolve(s);
            if (Files.isDirectory(from)) {
                copy(from, root.resolve(s), List.of());
                restored++;
            }
        }
        return restored;
    }

    /** Saves the state folders of {@code root} to {@code saved}: copied whole beside it first, then swapped in. */
    static void save(Path root, List<String> state, List<String> exclude, Path saved) throws IOException {
        Path fresh = saved.resolveSibling(saved.getFileName() + ".saving");
        Path old = saved.resolveSibling(saved.getFileName() + ".old");
        delete(fresh);
        Files.createDirectories(fresh);
        for (String s : state) {
            Path from = root.resolve(s);
            if (Files.isDirectory(from)) copy(from, fresh.resolve(s), exclude);
        }
        delete(old);
        if (Files.exists(saved)) Files.move(saved, old, StandardCopyOption.ATOMIC_MOVE);
        Files.move(fresh, saved, StandardCopyOption.ATOMIC_MOVE);
        delete(old);
    }

    /** Removes a tree; what is missing is no failure. */
    static void delete(Path p) throws IOException {
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) return;
        Files.walkFileTree(p, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
