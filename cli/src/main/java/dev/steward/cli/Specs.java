package dev.steward.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Reads a spec file (or stdin for {@code -}) and the headers that go with it. */
final class Specs {
    static final long MAX = 1 << 20;

    record SpecFile(String text, Map<String, String> headers) {}

    private Specs() {}

    static SpecFile read(String file) {
        try {
            String text;
            Path dir;
            if (file.equals("-")) {
                text = new String(System.in.readNBytes((int) MAX + 1), StandardCharsets.UTF_8);
                dir = Path.of("").toAbsolutePath();
            } else {
                Path p = Path.of(file).toAbsolutePath();
                if (!Files.isRegularFile(p)) throw new CliException(2, "-f: " + file + " is not a file");
                if (Files.size(p) > MAX) throw new CliException(2, "-f: " + file + " is larger than " + MAX + " bytes; a spec is small");
                text = Files.readString(p);
                dir = p.getParent();
            }
            String type = text.stripLeading().startsWith("{") ? "application/json" : "application/yaml";
            return new SpecFile(text, Map.of("Content-Type", type, "X-Steward-Spec-Dir", dir.toString()));
        } catch (java.nio.charset.MalformedInputException e) {
            throw new CliException(2, "-f: " + file + " is not UTF-8 text");
        } catch (IOException e) {
            throw new CliException(2, "-f: cannot read " + file + ": " + e.getMessage());
        }
    }
}
