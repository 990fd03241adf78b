package dev.steward.agent.functions;

import dev.steward.agent.spool.SpoolException;
import dev.steward.model.FunctionManifest;
import dev.steward.model.FunctionRuntime;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipFile;

/** Checks an unpacked function before it is kept: its {@code function.yaml} parses and its handler is there. */
final class CodeCheck {
    /** The largest function.yaml read. */
    private static final long MAX_MANIFEST = 1L << 20;

    private CodeCheck() {}

    /** What the check found: the manifest's text and what it says. */
    record Checked(String text, FunctionManifest manifest) {}

    static Checked check(Path dir) {
        Path file = dir.resolve(FunctionManifest.FILE);
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) throw new IllegalArgumentException("the function has no " + FunctionManifest.FILE + " at its root");
        String text;
        try {
            if (Files.size(file) > MAX_MANIFEST) throw new IllegalArgumentException(FunctionManifest.FILE + " is larger than " + MAX_MANIFEST + " bytes");
            text = Files.readString(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + FunctionManifest.FILE + ": " + SpoolException.reason(e));
        }
        FunctionManifest m = FunctionManifest.parse(text);
        if (m.runtime() == FunctionRuntime.JAVA) javaClass(dir, m.handler());
        else handlerFile(dir, m.handlerFile());
        return new Checked(text, m);
    }

    private static void handlerFile(Path dir, String relative) {
        try {
            // links inside the function were checked to stay inside it when it was unpacked
            Path f = dir.resolve(relative).toRealPath();
            if (!f.startsWith(dir.toRealPath()) || !Files.isRegularFile(f)) throw new NoSuchFileException(relative);
        } catch (IOException e) {
            throw new IllegalArgumentException("handler: the function has no file " + relative);
        }
    }

    /** The class is in classes/, or in a jar at the root or in lib/. */
    private static void javaClass(Path dir, String className) {
        String entry = className.replace('.', '/') + ".class";
        if (Files.isRegularFile(dir.resolve("classes").resolve(entry))) return;
        try {
            for (Path d : List.of(dir, dir.resolve("lib"))) {
                if (!Files.isDirectory(d)) continue;
                try (Stream<Path> s = Files.list(d)) {
                    for (Path jar : s.filter(p -> p.toString().endsWith(".jar")).toList()) {
                        try (ZipFile z = new ZipFile(jar.toFile())) {
                            if (z.getEntry(entry) != null) return;
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("handler: cannot read the function's jars: " + SpoolException.reason(e));
        }
        throw new IllegalArgumentException("handler: no class " + className + " in the function's classes/, its jars or lib/*.jar");
    }
}
