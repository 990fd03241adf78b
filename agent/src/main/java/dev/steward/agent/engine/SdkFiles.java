package dev.steward.agent.engine;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/** The worker libraries and generic function workers in the agent's jar, copied to where workers find them. */
public final class SdkFiles {
    /** The Python worker library, and the python and shell runtimes' worker with its {@code steward} module. */
    public static final List<String> PYTHON = List.of("steward_worker.py", "steward_function.py", "steward_function_main.py", "steward.py");
    /** The node runtime's worker and the msgpack it speaks. */
    public static final List<String> NODE = List.of("steward_function.js", "steward_msgpack.js");
    /** The java runtime's launcher. */
    public static final List<String> JAVA = List.of("steward_function_java");

    private SdkFiles() {}

    /** Copies {@code /sdk/LANG/NAME} of each of {@code names} into {@code dir} (each replaced whole, executable); returns {@code dir}. */
    public static Path install(Path dir, String lang, List<String> names) throws IOException {
        Files.createDirectories(dir);
        for (String name : names) {
            try (InputStream in = SdkFiles.class.getResourceAsStream("/sdk/" + lang + "/" + name)) {
                if (in == null) throw new IOException("the agent's jar lacks /sdk/" + lang + "/" + name);
                Path tmp = Files.createTempFile(dir, "." + name, ".part");
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
                Files.move(tmp, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
        }
        return dir;
    }
}
