package dev.steward.agent.logs;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads what is appended to a log file, starting at its end (or its start), and starts over when the file was truncated by rotation. */
public final class LogFollower {
    private final Path file;
    private long offset;

    public LogFollower(Path file) throws IOException {
        this(file, Files.exists(file) ? Files.size(file) : 0);
    }

    private LogFollower(Path file, long offset) {
        this.file = file;
        this.offset = offset;
    }

    /** Follows a log that appeared while others were followed: from its first byte. */
    public static LogFollower fromStart(Path file) {
        return new LogFollower(file, 0);
    }

    /** What was appended since the last call; empty when nothing was. */
    public byte[] poll() throws IOException {
        if (!Files.exists(file)) return new byte[0];
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            long len = f.length();
            if (len < offset) offset = 0;
            if (len == offset) return new byte[0];
            int n = (int) Math.min(len - offset, 1 << 20);
            byte[] buf = new byte[n];
            f.seek(offset);
            f.readFully(buf);
            offset += n;
            return buf;
        }
    }
}
