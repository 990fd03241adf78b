package dev.steward.agent.logs;

import dev.steward.agent.isolate.os.LibC;
import java.nio.file.Path;

/**
 * Gives back the disk space of a part of a file without changing its length or anything else in it
 * (Linux's hole punching): an instance appending to the file meanwhile loses nothing, and what was
 * freed reads as zeros.
 */
final class Holes {
    private static final int FALLOC_FL_KEEP_SIZE = 0x01;
    private static final int FALLOC_FL_PUNCH_HOLE = 0x02;

    private Holes() {}

    /** Frees the bytes of {@code file} from {@code from} to {@code to}; false where the file system (or the platform) cannot. */
    static boolean free(Path file, long from, long to) {
        try {
            LibC c = LibC.INSTANCE;
            int fd = c.open(file.toString(), LibC.O_WRONLY | LibC.O_CLOEXEC);
            if (fd < 0) return false;
            try {
                return c.fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, from, to - from) == 0;
            } finally {
                c.close(fd);
            }
        } catch (LinkageError | RuntimeException e) { // no libc to call (another platform)
            return false;
        }
    }
}
