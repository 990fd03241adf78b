package dev.steward.agent.spool;

import org.apache.commons.compress.archivers.ArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarConstants;

/** What an archive entry is, once checked: only these four are unpacked; anything else is refused. */
sealed interface Entry {
    EntryPath path();

    /** A regular file; {@code executable} when its owner may run it. */
    record File(EntryPath path, boolean executable) implements Entry {}

    record Directory(EntryPath path) implements Entry {}

    /** A symbolic link to {@code target}, relative, checked against the tree when it is made. */
    record Symlink(EntryPath path, String target) implements Entry {}

    /** A hard link to a file unpacked before it. */
    record Hardlink(EntryPath path, EntryPath source) implements Entry {}

    /** Classifies {@code e}, refusing devices, FIFOs, other types, bad names and bad link targets. */
    static Entry of(ArchiveEntry e, Limits limits) {
        EntryPath path = EntryPath.of(e.getName(), limits.maxNameBytes());
        if (!(e instanceof TarArchiveEntry t)) {
            // a zip read as a stream: its entries are files or directories
            return e.isDirectory() ? new Directory(path) : new File(path, false);
        }
        if (t.isCharacterDevice() || t.isBlockDevice()) throw path.refused("is a device node");
        if (t.isFIFO()) throw path.refused("is a FIFO");
        if (t.isSymbolicLink()) return new Symlink(path, target(path, t.getLinkName(), limits));
        if (t.isLink()) return new Hardlink(path, source(path, t.getLinkName(), limits));
        if (t.isDirectory()) return new Directory(path);
        byte type = t.getLinkFlag();
        if (type == TarConstants.LF_NORMAL || type == TarConstants.LF_OLDNORM || type == TarConstants.LF_CONTIG) {
            return new File(path, (t.getMode() & 0100) != 0);
        }
        throw path.refused("has type '" + (char) type + "', which is not a file, a directory or a link");
    }

    private static String target(EntryPath path, String target, Limits limits) {
        if (target == null || target.isEmpty()) throw path.refused("is a symbolic link to nothing");
        if (target.startsWith("/")) throw path.refused("is a symbolic link to an absolute path");
        if (target.indexOf('\0') >= 0) throw path.refused("is a symbolic link whose target has a NUL character");
        if (target.length() > limits.maxNameBytes()) throw path.refused("is a symbolic link whose target is longer than " + limits.maxNameBytes() + " bytes");
        return target;
    }

    private static EntryPath source(EntryPath path, String source, Limits limits) {
        EntryPath s;
        try {
            s = EntryPath.of(source, limits.maxNameBytes());
        } catch (SpoolException bad) {
            throw path.refused("is a hard link to a bad name: " + bad.getMessage());
        }
        if (s.isRoot()) throw path.refused("is a hard link to the archive's root");
        return s;
    }
}
