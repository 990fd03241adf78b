package dev.steward.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Looks at real processes for tests. */
public final class Procs {
    private Procs() {}

    public static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)
                && dev.steward.agent.isolate.ProcStat.read(pid).map(p -> p.alive()).orElse(false);
    }

    /** Every live pid whose process group is {@code pgid}. */
    public static List<Long> group(long pgid) {
        try (Stream<Path> s = Files.list(Path.of("/proc"))) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.matches("\\d+")).map(Long::parseLong)
                    .filter(pid -> dev.steward.agent.isolate.ProcStat.read(pid).filter(p -> p.pgid() == pgid && p.alive()).isPresent())
                    .toList();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static void kill9(long pid) {
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }

    /** Sends a signal ({@code STOP}, {@code CONT}, ...) with kill(1). */
    public static void signal(long pid, String name) {
        try {
            new ProcessBuilder("kill", "-" + name, Long.toString(pid)).inheritIO().start().waitFor();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A python3 command that serves HTTP on $PORT. */
    public static String httpServer() {
        return "[python3, -m, http.server, \"${PORT}\", --bind, 127.0.0.1]";
    }
}
