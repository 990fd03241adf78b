package dev.steward.agent.spool;

import static java.nio.file.LinkOption.NOFOLLOW_LINKS;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;

/**
 * The private directory an archive is unpacked into. Every path is walked from here one part at a
 * time without following links: a directory on the way that is a link is refused, never gone
 * through; files are created new ({@code O_EXCL}, {@code O_NOFOLLOW}); modes are set on what was
 * opened without following links, and are only {@code 0755} or {@code 0644}.
 */
final class Root {
    static final Set<PosixFilePermission> EXECUTABLE = PosixFilePermissions.fromString("rwxr-xr-x");
    static final Set<PosixFilePermission> PLAIN = PosixFilePermissions.fromString("rw-r--r--");
    private static final Set<OpenOption> NEW_FILE = Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, NOFOLLOW_LINKS);
    private final Path dir;

    Root(Path dir) {
        this.dir = dir;
    }

    void directory(EntryPath e) throws IOException {
        if (e.isRoot()) return;
        Path p = parent(e).resolve(e.parts().getLast());
        BasicFileAttributes a = attributes(p);
        if (a == null) {
            Files.createDirectory(p);
            mode(p, EXECUTABLE);
        } else if (a.isSymbolicLink()) {
            throw e.refused("is a directory where a symbolic link was unpacked before it");
        } else if (!a.isDirectory()) {
            throw e.refused("is a directory where a file was unpacked before it");
        }
    }

    /** A new file for {@code e}; {@link #finish} gives it its mode once written. */
    OutputStream file(EntryPath e) throws IOException {
        if (e.isRoot()) throw e.refused("is a file named like the archive's root");
        return Channels.newOutputStream(Files.newByteChannel(parent(e).resolve(e.parts().getLast()), NEW_FILE));
    }

    void finish(EntryPath e, boolean executable) throws IOException {
        mode(dir.resolve(e.toString()), executable ? EXECUTABLE : PLAIN);
    }

    void symlink(EntryPath e, String target) throws IOException {
        if (e.isRoot()) throw e.refused("is a symbolic link named like the archive's root");
        Path parent = parent(e);
        List<String> from = e.parts().subList(0, e.parts().size() - 1);
        String problem = Links.problem(dir, from, target);
        if (problem != null) throw e.refused("is a symbolic link to '" + EntryPath.shown(target) + "', which " + problem);
        Files.createSymbolicLink(parent.resolve(e.parts().getLast()), Path.of(target));
    }

    void hardlink(EntryPath e, EntryPath source) throws IOException {
        if (e.isRoot()) throw e.refused("is a hard link named like the archive's root");
        Path from = existingFile(e, source);
        Files.createLink(parent(e).resolve(e.parts().getLast()), from);
    }

    /** Checks every symbolic link against the whole tree: a later entry may have changed where an earlier link leads. */
    void checkLinks() throws IOException {
        try (var all = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) all.filter(Files::isSymbolicLink)::iterator) {
                Path rel = dir.relativize(p);
                List<String> from = rel.getParent() == null ? List.of() : List.of(rel.getParent().toString().split("/"));
                String target = Files.readSymbolicLink(p).toString();
                String problem = Links.problem(dir, from, target);
                if (problem != null) {
                    throw EntryPath.refused(rel.toString(), "is a symbolic link to '" + EntryPath.shown(target) + "', which, with the links"
                            + " unpacked after it, " + problem);
                }
            }
        }
    }

    /** The directory that holds {@code e}, made as needed; refused when a part on the way is a link or a file. */
    private Path parent(EntryPath e) throws IOException {
        Path at = dir;
        for (int i = 0; i < e.parts().size() - 1; i++) {
            at = at.resolve(e.parts().get(i));
            BasicFileAttributes a = attributes(at);
            if (a == null) {
                Files.createDirectory(at);
                mode(at, EXECUTABLE);
            } else if (a.isSymbolicLink()) {
                throw e.refused("goes through the symbolic link '" + e.prefix(i + 1) + "'");
            } else if (!a.isDirectory()) {
                throw e.refused("goes through '" + e.prefix(i + 1) + "', which is not a directory");
            }
        }
        return at;
    }

    private Path existingFile(EntryPath e, EntryPath source) throws IOException {
        Path at = dir;
        for (int i = 0; i < source.parts().size(); i++) {
            at = at.resolve(source.parts().get(i));
            BasicFileAttributes a = attributes(at);
            boolean last = i == source.parts().size() - 1;
            if (a == null || a.isSymbolicLink() || (last ? !a.isRegularFile() : !a.isDirectory())) {
                throw e.refused("is a hard link to '" + EntryPath.shown(source.name()) + "', which is not a file unpacked before it");
            }
        }
        return at;
    }

    private static BasicFileAttributes attributes(Path p) throws IOException {
        try {
            return Files.readAttributes(p, BasicFileAttributes.class, NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /** Sets the mode through a descriptor opened with {@code O_NOFOLLOW}: a link is never changed through. */
    static void mode(Path p, Set<PosixFilePermission> mode) throws IOException {
        Files.getFileAttributeView(p, PosixFileAttributeView.class, NOFOLLOW_LINKS).setPermissions(mode);
    }
}
