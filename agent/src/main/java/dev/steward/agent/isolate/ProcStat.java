package dev.steward.agent.isolate;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What {@code /proc/PID/stat} says of a process: its state, group and start time (clock ticks after
 * boot). The start time tells a process from a later one that reused its pid.
 */
public record ProcStat(long pid, char state, long pgid, long startTicks) {

    public static Optional<ProcStat> read(long pid) {
        try {
            String s = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // The command name is in parentheses and may hold spaces: fields are counted after the last ')'.
            String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
            return Optional.of(new ProcStat(pid, f[0].charAt(0), Long.parseLong(f[2]), Long.parseLong(f[19])));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Whether the process runs (a zombie has ended). */
    public boolean alive() {
        return state != 'Z' && state != 'X';
    }

    /** Whether {@code pid} is alive and is the very process that started at {@code startTicks}. */
    public static boolean same(long pid, long startTicks) {
        return read(pid).filter(ProcStat::alive).filter(p -> p.startTicks == startTicks).isPresent();
    }
}
