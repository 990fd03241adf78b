package dev.steward.agent.logs;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.stream.Stream;

/** Reads the last lines of a log and rotates logs by copy-and-truncate (instances keep their file open for append). */
public final class LogFiles {
    private LogFiles() {}

    /**
     * The logs in {@code dir} ({@code *.log}), oldest first; or only {@code id}'s when it is given
     * (none when it has no log).
     */
    public static List<Path> in(Path dir, String id) {
        if (id != null) {
            Path one = dir.resolve(id + ".log");
            return Files.exists(one) ? List.of(one) : List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith(".log")).sorted(java.util.Comparator.comparing(LogFiles::modified)).toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private static java.nio.file.attribute.FileTime modified(Path p) {
        try {
            return Files.getLastModifiedTime(p);
        } catch (IOException e) {
            return java.nio.file.attribute.FileTime.fromMillis(0);
        }
    }

    /** The last {@code n} lines of {@code file}, reading at most the last 4 MiB. */
    public static List<String> tail(Path file, int n) throws IOException {
        if (!Files.exists(file) || n <= 0) return List.of();
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            long len = f.length();
            long from = Math.max(0, len - (4L << 20));
            byte[] buf = new byte[(int) (len - from)];
            f.seek(from);
            f.readFully(buf);
            String[] lines = new String(buf, StandardCharsets.UTF_8).split("\n", -1);
            Deque<String> out = new ArrayDeque<>();
            int last = lines.length - 1;
            if (last >= 0 && lines[last].isEmpty()) last--;
            for (int i = last; i >= 0 && out.size() < n; i--) {
                if (i == 0 && from > 0) break;
                out.addFirst(lines[i]);
            }
            return List.copyOf(out);
        }
    }

    /** Rotates {@code file} when it is over {@code maxBytes}: keeps {@code keep} old copies as .1, .2, ... */
    public static boolean rotate(Path file, long maxBytes, int keep) throws IOException {
        if (!Files.exists(file) || Files.size(file) <= maxBytes) return false;
        for (int i = keep - 1; i >= 1; i--) {
            Path older = file.resolveSibling(file.getFileName() + "." + i);
            if (Files.exists(older)) Files.move(older, file.resolveSibling(file.getFileName() + "." + (i + 1)), StandardCopyOption.REPLACE_EXISTING);
        }
        Files.copy(file, file.resolveSibling(file.getFileName() + ".1"), StandardCopyOption.REPLACE_EXISTING);
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(0);
        }
        return true;
    }

    /** Rotates every {@code *.log} below {@code dir}. */
    public static void rotateAll(Path dir, long maxBytes, int keep) {
        if (!Files.isDirectory(dir)) return;
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.filter(p -> p.toString().endsWith(".log")).toList()) {
                try {
                    rotate(p, maxBytes, keep);
                } catch (IOException e) {
                    System.err.println("steward: cannot rotate " + p + ": " + e.getMessage());
                }
            }
        } catch (IOException e) {
            System.err.println("steward: cannot list logs in " + dir + ": " + e.getMessage());
        }
    }
}
