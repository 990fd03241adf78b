package dev.steward.agent.functions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The machine's memory, from {@code /proc/meminfo}: what the pools may grow into. */
interface MemInfo {
    long availableBytes();

    long totalBytes();

    /** This machine's, read at each call; unknown figures read as unbounded. */
    MemInfo PROC = new MemInfo() {
        @Override
        public long availableBytes() {
            return field("MemAvailable:");
        }

        @Override
        public long totalBytes() {
            return field("MemTotal:");
        }

        private long field(String name) {
            try {
                for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                    if (line.startsWith(name)) return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
                }
            } catch (IOException | NumberFormatException e) {
                // below
            }
            return Long.MAX_VALUE / 4;
        }
    };
}
