package dev.steward.cli;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * Which certificates the CLI trusts for an {@code https://} --addr. With {@code --ca-cert FILE} (env
 * {@code STEWARD_CA_CERT}): the certificates in that PEM file only, as curl's {@code --cacert}. Without it:
 * the JDK's CAs, and, when the address is this machine's, the self-signed certificate a dev-mode agent keeps
 * in its data dir ({@code tls/cert.pem} under {@code ./.steward} and {@code ~/.local/share/steward}, where
 * the agent keeps its data unless told otherwise), if this user can read it and it is safe to trust: owned
 * by this user or root, and neither it nor its directory writable by others. Never every certificate.
 */
final class Trust {
    private Trust() {}

    /**
     * For a plain {@code http://} agent, where TLS is never spoken: a context that trusts nothing and
     * so does not read the JDK's trust store (the HTTP client would otherwise load and parse every
     * CA certificate of the system at each command's start).
     */
    static SSLContext unused() {
        try {
            SSLContext c = SSLContext.getInstance("TLS");
            c.init(new javax.net.ssl.KeyManager[0], new javax.net.ssl.TrustManager[0], null);
            return c;
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static SSLContext context(String caCert, String host) {
        return context(caCert, host, List.of(Path.of(".steward"), Path.of(System.getProperty("user.home"), ".local", "share", "steward")));
    }

    /** As above, with the self-signed certificates of agents whose data dirs are {@code dataDirs}. */
    static SSLContext context(String caCert, String host, List<Path> dataDirs) {
        try {
            if (caCert != null && !caCert.isBlank()) return trusting(read(Path.of(caCert)));
            List<X509Certificate> local = thisMachine(host) ? localAgents(dataDirs) : List.of();
            if (local.isEmpty()) return SSLContext.getDefault();
            TrustManagerFactory system = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            system.init((KeyStore) null);
            List<X509Certificate> all = new ArrayList<>(local);
            for (var tm : system.getTrustManagers()) if (tm instanceof X509TrustManager x) all.addAll(List.of(x.getAcceptedIssuers()));
            return trusting(all);
        } catch (GeneralSecurityException | IOException e) {
            throw new CliException(1, "cannot set up TLS: " + e.getMessage());
        }
    }

    /** The certificates in a PEM file given by the user. */
    static List<X509Certificate> read(Path file) {
        String option = "--ca-cert (env STEWARD_CA_CERT): " + file;
        if (!Files.isRegularFile(file)) throw new CliException(2, option + (Files.exists(file) ? " is not a file" : ": no such file"));
        List<X509Certificate> certs;
        try (InputStream in = Files.newInputStream(file)) {
            certs = CertificateFactory.getInstance("X.509").generateCertificates(in).stream().map(X509Certificate.class::cast).toList();
        } catch (IOException | GeneralSecurityException e) {
            throw new CliException(2, option + " holds no PEM certificate that can be read: " + e.getMessage());
        }
        if (certs.isEmpty()) throw new CliException(2, option + " holds no PEM certificate (expected: -----BEGIN CERTIFICATE-----)");
        return certs;
    }

    private static SSLContext trusting(List<X509Certificate> certs) throws GeneralSecurityException, IOException {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        for (int i = 0; i < certs.size(); i++) store.setCertificateEntry("trusted-" + i, certs.get(i));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(store);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    /** Whether {@code host} is this machine: a loopback address or one of its interfaces'. */
    private static boolean thisMachine(String host) {
        try {
            InetAddress a = InetAddress.getByName(host);
            return a.isLoopbackAddress() || a.isAnyLocalAddress() || NetworkInterface.getByInetAddress(a) != null;
        } catch (IOException e) {
            return false;
        }
    }

    /** The self-signed certificates of dev-mode agents in {@code dataDirs} that are safe to trust. */
    private static List<X509Certificate> localAgents(List<Path> dataDirs) {
        List<X509Certificate> found = new ArrayList<>();
        for (Path dir : dataDirs) {
            Path cert = dir.resolve("tls").resolve("cert.pem");
            if (!safe(cert)) continue;
            try {
                found.addAll(read(cert));
            } catch (CliException e) {
                // not a certificate: not trusted
            }
        }
        return found;
    }

    private static boolean safe(Path cert) {
        if (!Files.isRegularFile(cert) || !Files.isReadable(cert)) return false;
        String me = System.getProperty("user.name");
        try {
            for (Path p : List.of(cert, cert.toAbsolutePath().getParent())) {
                String owner = Files.getOwner(p).getName();
                Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p);
                if (!owner.equals(me) && !owner.equals("root")) return false;
                if (perms.contains(PosixFilePermission.GROUP_WRITE) || perms.contains(PosixFilePermission.OTHERS_WRITE)) return false;
            }
            return true;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }
}
