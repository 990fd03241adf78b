package dev.steward.agent.isolate.cgroup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Reading and writing the small files of cgroupfs. */
final class CgroupFiles {
    private CgroupFiles() {}

    static void write(Path file, String value) throws IOException {
        Files.writeString(file, value);
    }

    static long readLong(Path file) {
        try {
            String s = Files.readString(file).strip();
            return s.equals("max") ? Long.MAX_VALUE : Long.parseLong(s);
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    /** The value of {@code key} in a flat keyed file such as memory.events or cpu.stat. */
    static long keyed(Path file, String key) {
        try {
            for (String line : Files.readAllLines(file)) {
                String[] kv = line.trim().split("\\s+");
                if (kv.length == 2 && kv[0].equals(key)) return Long.parseLong(kv[1]);
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    static List<Long> pids(Path procs) {
        try {
            List<Long> out = new ArrayList<>();
            for (String line : Files.readAllLines(procs)) if (!line.isBlank()) out.add(Long.parseLong(line.strip()));
            return out;
        } catch (IOException | NumberFormatException e) {
            return List.of();
        }
    }

    /** Removes a group directory and then its parents up to (not including) {@code stop} when they are empty. */
    static void removeUpTo(Path dir, Path stop) {
        Path d = dir;
        while (d != null && !d.equals(stop) && d.startsWith(stop)) {
            try {
                Files.deleteIfExists(d);
            } catch (IOException e) {
                return;
            }
            d = d.getParent();
        }
    }

    /** The {@code SERVICE/INSTANCE} directories under a base. */
    static List<Path> instances(Path base) {
        if (!Files.isDirectory(base)) return List.of();
        List<Path> out = new ArrayList<>();
        try (Stream<Path> services = Files.list(base)) {
            for (Path s : services.filter(Files::isDirectory).toList()) {
                try (Stream<Path> inst = Files.list(s)) {
                    inst.filter(Files::isDirectory).forEach(out::add);
                }
            }
        } catch (IOException e) {
            return out;
        }
        return out;
    }

    static void kill(long pid) {
        dev.steward.agent.isolate.os.Signals.kill(pid);
    }

    static void killAndWait(java.util.function.Supplier<List<Long>> pids) {
        for (int attempt = 0; attempt < 100; attempt++) {
            List<Long> left = pids.get();
            if (left.isEmpty()) return;
            for (long pid : left) kill(pid);
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
