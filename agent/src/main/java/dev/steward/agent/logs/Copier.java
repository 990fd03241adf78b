package dev.steward.agent.logs;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;

/**
 * One instance's output file copied into its log a line at a time, each after its stamp. A line not
 * yet ended waits for its newline (up to {@link #PARTIAL_MAX} bytes or {@link #PARTIAL_WAIT_MILLIS}).
 * Every {@link #FREE_EVERY} bytes copied, the disk space of what was copied is given back ({@link Holes}):
 * the file keeps its length and the instance goes on appending, so nothing it writes meanwhile can be
 * lost, as it could be if the file were emptied. How far it was copied is written to {@code .pos} at
 * most once a second.
 */
final class Copier {
    static final int PARTIAL_MAX = 64 << 10;
    static final long PARTIAL_WAIT_MILLIS = 1000;
    static final long FREE_EVERY = 4L << 20;
    private final Path raw;
    private final Path log;
    private final Path pos;
    private final Clock clock;
    private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
    private long partialSince;
    private long offset;
    /** Up to where the file's copied bytes were given back (this run: again after a restart is harmless). */
    private long freed;
    private long saved;
    private long savedAt;

    Copier(Path raw, Path log, Clock clock) {
        this.raw = raw;
        this.log = log;
        this.pos = raw.resolveSibling(raw.getFileName() + ".pos");
        this.clock = clock;
        this.offset = readPos();
        this.saved = offset;
    }

    Path raw() {
        return raw;
    }

    /** Copies what was added since; {@code last}: the instance ended, so a line without its newline goes too. */
    void copy(boolean last) {
        try {
            long size;
            try {
                size = Files.size(raw);
            } catch (NoSuchFileException e) {
                return; // not written yet (or an instance started before logs were stamped writes to its log itself)
            }
            if (size < offset) { // emptied by someone else
                offset = 0;
                freed = 0;
            }
            StringBuilder out = new StringBuilder();
            try (RandomAccessFile f = new RandomAccessFile(raw.toFile(), "r")) {
                while (offset < size) {
                    byte[] buf = new byte[(int) Math.min(size - offset, 1 << 20)];
                    f.seek(offset);
                    f.readFully(buf);
                    offset += buf.length;
                    lines(buf, out);
                }
            }
            long now = clock.millis();
            if (partial.size() > 0 && (last || partial.size() >= PARTIAL_MAX || now - partialSince >= PARTIAL_WAIT_MILLIS)) endLine(out);
            if (!out.isEmpty()) {
                Files.createDirectories(log.getParent());
                Files.writeString(log, out, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            }
            long copied = offset - partial.size(); // a partial line is read again by the next agent: kept
            if (copied - freed >= FREE_EVERY) freed = Holes.free(raw, freed, copied) ? copied : emptied(copied);
            if (offset != saved && (last || now - savedAt >= 1000 || offset == 0)) savePos(now);
        } catch (IOException e) {
            LogStamper.quietly(e, raw);
        }
    }

    /**
     * Where the file system cannot give back a part of a file: the file is emptied once all of it is in the log,
     * as rotation does (a write between the look at its size and the truncation would be lost). Returns the
     * offset up to which the file was freed.
     */
    private long emptied(long copied) throws IOException {
        if (partial.size() != 0 || Files.size(raw) != copied) return freed;
        try (RandomAccessFile f = new RandomAccessFile(raw.toFile(), "rw")) {
            f.setLength(0);
        }
        offset = 0;
        return 0;
    }

    /** Writes how far it was copied now (the agent stops; the next one carries on from there). */
    void save() {
        try {
            if (offset != saved) savePos(clock.millis());
        } catch (IOException e) {
            LogStamper.quietly(e, raw);
        }
    }

    private void lines(byte[] buf, StringBuilder out) {
        int start = 0;
        for (int i = 0; i < buf.length; i++) {
            if (buf[i] != '\n') continue;
            partial.write(buf, start, i - start);
            endLine(out);
            start = i + 1;
        }
        if (start < buf.length) {
            if (partial.size() == 0) partialSince = clock.millis();
            partial.write(buf, start, buf.length - start);
        }
    }

    private void endLine(StringBuilder out) {
        out.append(Stamp.prefix(clock.instant())).append(partial.toString(StandardCharsets.UTF_8)).append('\n');
        partial.reset();
    }

    private long readPos() {
        try {
            long p = Long.parseLong(Files.readString(pos).strip());
            return p >= 0 ? p : 0;
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }

    private void savePos(long now) throws IOException {
        // what is still a partial line is counted as not copied, so that it is copied whole next time
        long p = offset - partial.size();
        Files.writeString(pos, Long.toString(p));
        saved = offset;
        savedAt = now;
    }

    /** The output file and its position go (the instance's slot is gone). */
    static void delete(Path raw) {
        try {
            Files.deleteIfExists(raw);
            Files.deleteIfExists(raw.resolveSibling(raw.getFileName() + ".pos"));
        } catch (IOException e) {
            LogStamper.quietly(e, raw);
        }
    }
}
