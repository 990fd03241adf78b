package dev.steward.agent.tls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;

/**
 * A cluster's own CA and what it signs, kept in one directory: {@code ca.pem} and {@code ca-key.pem};
 * {@code etcd.pem} and {@code etcd-key.pem} for the etcd members; {@code NODE.pem} and {@code NODE-key.pem}
 * for each node; and {@code token}, the cluster's shared secret. Every leaf serves and is a client (etcd's
 * peers and agents both need that), and names its own name, localhost, the loopback addresses and the
 * hosts given. A directory that holds a CA already keeps it (and the token): nodes added later are signed
 * by the same CA; files that exist are not written again. Keys and the token are readable by their owner only.
 */
public final class ClusterCerts {
    public static final String CA = "ca.pem";
    public static final String CA_KEY = "ca-key.pem";
    public static final String TOKEN = "token";
    public static final String ETCD = "etcd";
    static final Duration CA_VALIDITY = Duration.ofDays(3650);
    static final Duration VALIDITY = Duration.ofDays(825);
    private static final String NAME = "[a-z0-9][a-z0-9-]{0,62}";

    private ClusterCerts() {}

    /** The files written now (those that existed are kept), in the order written. */
    public record Made(List<Path> written) {}

    /** Makes what is missing in {@code dir} for etcd and {@code nodes}, each certificate naming {@code hosts} too. */
    public static Made make(Path dir, List<String> nodes, List<String> hosts, Instant now) throws IOException {
        check(nodes, hosts);
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        List<Path> written = new ArrayList<>();
        TlsPair ca = ca(dir, now, written);
        var issuer = new Certificates.Issuer(X500Name.getInstance(ca.certificate().getSubjectX500Principal().getEncoded()), ca.key());
        List<String> leaves = new ArrayList<>(List.of(ETCD));
        leaves.addAll(nodes);
        for (String leaf : leaves) {
            if (Files.exists(dir.resolve(leaf + ".pem"))) continue;
            Set<String> names = new LinkedHashSet<>(List.of(leaf, "localhost", "127.0.0.1", "::1"));
            names.addAll(hosts);
            KeyPair kp = Certificates.ecKey();
            var subject = new Certificates.Subject("O=Steward,OU=cluster,CN=" + leaf, false, List.copyOf(names),
                    List.of(KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth));
            X509Certificate cert = Certificates.sign(subject, kp, issuer, now, VALIDITY);
            PemOut.write(dir, leaf + "-key.pem", PemOut.pem(new JcaPKCS8Generator(kp.getPrivate(), null)), "rw-------");
            PemOut.write(dir, leaf + ".pem", PemOut.pem(cert), "rw-r--r--");
            written.add(dir.resolve(leaf + ".pem"));
            written.add(dir.resolve(leaf + "-key.pem"));
        }
        if (!Files.exists(dir.resolve(TOKEN))) {
            byte[] secret = new byte[32];
            new SecureRandom().nextBytes(secret);
            PemOut.write(dir, TOKEN, "stwc_" + Base64.getUrlEncoder().withoutPadding().encodeToString(secret) + "\n", "rw-------");
            written.add(dir.resolve(TOKEN));
        }
        return new Made(written);
    }

    private static void check(List<String> nodes, List<String> hosts) {
        if (nodes.isEmpty()) throw new IllegalArgumentException("--nodes: no node named (expected: NAME[,NAME...])");
        for (String n : nodes) {
            if (!n.matches(NAME)) throw new IllegalArgumentException("--nodes: '" + n + "' (expected: [a-z0-9][a-z0-9-]{0,62}, as --node-name takes it)");
            if (n.equals(ETCD) || n.equals("ca")) throw new IllegalArgumentException("--nodes: '" + n + "' is taken by the " + n + " files (" + n + ".pem); name the node otherwise");
        }
        if (new LinkedHashSet<>(nodes).size() != nodes.size()) throw new IllegalArgumentException("--nodes: a name is given twice");
        for (String h : hosts) {
            if (!h.matches("[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?|[0-9a-fA-F:.]+")) {
                throw new IllegalArgumentException("--hosts: '" + h + "' (expected: a host name or IP address)");
            }
        }
    }

    /** The CA kept in {@code dir}, or a new one written there. */
    private static TlsPair ca(Path dir, Instant now, List<Path> written) throws IOException {
        Path cert = dir.resolve(CA);
        Path key = dir.resolve(CA_KEY);
        if (Files.exists(cert) || Files.exists(key)) return PemFiles.read("the CA in " + dir, cert, "its key", key);
        KeyPair kp = Certificates.ecKey();
        X509Certificate c = Certificates.sign(new Certificates.Subject("O=Steward,CN=steward cluster CA", true, List.of(), List.of()), kp, null, now, CA_VALIDITY);
        PemOut.write(dir, CA_KEY, PemOut.pem(new JcaPKCS8Generator(kp.getPrivate(), null)), "rw-------");
        PemOut.write(dir, CA, PemOut.pem(c), "rw-r--r--");
        written.add(cert);
        written.add(key);
        return new TlsPair(kp.getPrivate(), List.of(c));
    }
}
