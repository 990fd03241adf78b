package dev.steward.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Prometheus' own lint of a scrape, where promtool is installed. */
final class Promtool {
    private static final Path PROMTOOL = Path.of("/usr/bin/promtool");

    private Promtool() {}

    /** {@code promtool check metrics} passes {@code scrape} without a word; said and skipped where promtool is missing. */
    static void check(String scrape) throws Exception {
        if (!Files.isExecutable(PROMTOOL)) {
            System.err.println("/usr/bin/promtool is missing (apt-get install prometheus): the lint check is not made");
            return;
        }
        Process p = new ProcessBuilder(PROMTOOL.toString(), "check", "metrics").redirectErrorStream(true).start();
        try (var in = p.getOutputStream()) {
            in.write(scrape.getBytes(StandardCharsets.UTF_8));
        }
        String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as("promtool check metrics: " + said).isZero();
        assertThat(said).as("promtool's lint").isBlank();
    }
}
