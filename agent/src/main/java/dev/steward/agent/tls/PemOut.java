package dev.steward.agent.tls;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;

/** Writes certificates and keys as PEM files, each whole or not at all, with its permissions from its creation on. */
final class PemOut {
    private PemOut() {}

    /** A certificate, or a key through {@link JcaPKCS8Generator}, as PEM text. */
    static String pem(Object o) throws IOException {
        StringWriter s = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(s)) {
            w.writeObject(o);
        }
        return s.toString();
    }

    /** Writes {@code name} in {@code dir} whole or not at all, with {@code permissions} ({@code rw-------}) from its creation on. */
    static void write(Path dir, String name, String text, String permissions) throws IOException {
        Path tmp = Files.createTempFile(dir, "." + name, ".new", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(permissions)));
        try {
            Files.writeString(tmp, text);
            Files.move(tmp, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
