package dev.steward.agent.spool;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Fetches code for instances: a directory is used where it is; an archive is unpacked once into
 * {@code spool/<sha256>} (a second spool of the same bytes finds it there). Unpacking goes to a
 * private temporary directory first, is checked, and is moved into place whole, so a refused archive
 * leaves nothing and changes nothing already spooled.
 */
public final class Spooler {
    private static final String UNPACKING = ".unpacking-";
    private final Path cache;
    private final Limits limits;
    /** Archives already spooled, by path, size and modification time: so that each spawn does not hash them again. */
    private final Map<Path, Known> known = new ConcurrentHashMap<>();

    private record Known(long size, FileTime modified, Path dest) {}

    /** What was spooled, and what the check made of it. */
    public record Spooled<T>(Path dir, T checked) {}

    /** Removes what an agent stopped in the middle of an unpack left in {@code cache}. */
    public Spooler(Path cache, Limits limits) {
        this.cache = cache;
        this.limits = limits;
        removeLeftovers(cache, UNPACKING);
    }

    public Limits limits() {
        return limits;
    }

    public static boolean isArchive(Path p) {
        return Files.isRegularFile(p) && Format.of(p.getFileName().toString()).isPresent();
    }

    /** The directory to run from: {@code source} itself when it is a directory, its unpacked copy when an archive. */
    public Path spool(Path source) {
        if (Files.isDirectory(source)) return source;
        String name = source.getFileName().toString();
        Format format = Format.of(name).filter(f -> Files.isRegularFile(source))
                .orElseThrow(() -> new SpoolException(source + " is neither a directory nor a .tar.gz, .tgz, .tar or .zip archive"));
        try {
            long size = Files.size(source);
            FileTime modified = Files.getLastModifiedTime(source);
            Known k = known.get(source);
            if (k != null && k.size() == size && k.modified().equals(modified) && Files.isDirectory(k.dest())) return k.dest();
            Path dest = spool(source, format, dir -> dir).dir();
            known.put(source, new Known(size, modified, dest));
            return dest;
        } catch (IOException e) {
            throw new SpoolException(name + ": cannot be spooled: " + SpoolException.reason(e), e);
        } catch (SpoolException e) {
            throw new SpoolException(name + ": " + e.getMessage(), e);
        }
    }

    /**
     * Unpacks {@code archive} (unless the same bytes were) and runs {@code check} on the result before
     * it is moved into place: an archive refused by either leaves nothing behind.
     */
    public <T> Spooled<T> spool(Path archive, Format format, Function<Path, T> check) throws IOException {
        Path dest = cache.resolve(sha256(archive));
        if (Files.isDirectory(dest)) return new Spooled<>(dest, check.apply(dest));
        Files.createDirectories(cache);
        Path tmp = Files.createTempDirectory(cache, UNPACKING);
        try {
            Unpacker.unpack(archive, format, tmp, limits);
            T checked = check.apply(tmp);
            Root.mode(tmp, Root.EXECUTABLE); // private while unpacking, readable once in place
            moveIntoPlace(tmp, dest);
            return new Spooled<>(dest, checked);
        } catch (IOException | RuntimeException e) {
            delete(tmp);
            throw e;
        }
    }

    private static void moveIntoPlace(Path tmp, Path dest) throws IOException {
        try {
            Files.move(tmp, dest, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            // spooled meanwhile by someone else (rename fails with ENOTEMPTY): same bytes, same result
            if (!Files.isDirectory(dest, LinkOption.NOFOLLOW_LINKS)) throw e;
            delete(tmp);
        }
    }

    /**
     * {@link #spool(Path, Format, Function)} for an upload of {@code what} (an app, a function): a refused
     * archive is an {@link IllegalArgumentException} saying why, the agent's own failure an {@link IllegalStateException}.
     */
    public <T> Spooled<T> take(Path archive, Format format, Function<Path, T> check, String what) {
        try {
            return spool(archive, format, check);
        } catch (SpoolException e) {
            throw new IllegalArgumentException("the " + what + "'s archive is refused: " + e.getMessage());
        } catch (IOException e) {
            throw new IllegalStateException("cannot spool the " + what + ": " + SpoolException.reason(e));
        }
    }

    static String sha256(Path file) throws IOException {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Removes {@code dir} and what is in it, links themselves and not what they lead to. */
    static void delete(Path dir) {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException e) {
            System.err.println("steward: cannot remove " + dir + ": " + e.getMessage());
        }
    }

    /** Removes the entries of {@code dir} whose names start with {@code prefix}. */
    static void removeLeftovers(Path dir, String prefix) {
        if (!Files.isDirectory(dir)) return;
        try (Stream<Path> s = Files.list(dir)) {
            s.filter(p -> p.getFileName().toString().startsWith(prefix)).forEach(Spooler::delete);
        } catch (IOException e) {
            System.err.println("steward: cannot list " + dir + ": " + e.getMessage());
        }
    }
}
