package dev.steward.agent.isolate;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** A process's threads as {@code /proc} shows them. */
final class Threads {
    private Threads() {}

    /** Whether a thread of process {@code pid} is running or runnable (R); false when it cannot be read (it is gone). */
    static boolean anyRunning(long pid) {
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path t : tasks) {
                String stat;
                try {
                    stat = Files.readString(t.resolve("stat"));
                } catch (IOException e) {
                    continue; // the thread ended
                }
                int end = stat.lastIndexOf(')');
                if (end > 0 && end + 2 < stat.length() && stat.charAt(end + 2) == 'R') return true;
            }
            return false;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
