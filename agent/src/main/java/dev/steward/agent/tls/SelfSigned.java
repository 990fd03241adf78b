package dev.steward.agent.tls;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;

/**
 * The pair dev mode makes when a listener needs TLS and none was given: an EC P-256 key and a certificate
 * signed by it, valid for a year, naming {@code localhost}, the loopback addresses, this machine's host name
 * and addresses, and the hosts the listeners bind. It is kept in a directory ({@code DATA/tls}):
 * {@code cert.pem}, and {@code key.pem} readable by the agent's user only; the next start reuses it while it
 * is valid for another day and names those hosts, so that clients which trust it keep trusting it.
 */
public final class SelfSigned {
    public static final String CERT = "cert.pem";
    public static final String KEY = "key.pem";
    static final Duration VALIDITY = Duration.ofDays(365);

    private SelfSigned() {}

    /** The pair in {@code dir}, where its certificate is, and whether it was made now (else reused). */
    public record Made(TlsPair pair, Path cert, boolean fresh) {}

    /** The pair kept in {@code dir} when it still serves {@code listeners}, else a new one written there. */
    public static Made ensure(Path dir, List<InetSocketAddress> listeners, Clock clock) throws IOException {
        Path cert = dir.resolve(CERT);
        Path key = dir.resolve(KEY);
        Set<String> hosts = listeners.stream().filter(a -> a.getAddress() == null || !a.getAddress().isAnyLocalAddress())
                .map(InetSocketAddress::getHostString).collect(Collectors.toCollection(java.util.LinkedHashSet::new));
        Instant now = clock.instant();
        if (Files.isRegularFile(cert) && Files.isRegularFile(key)) {
            try {
                TlsPair kept = PemFiles.read("tls", cert, "tls", key);
                if (serves(kept.certificate(), hosts, now)) {
                    Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
                    return new Made(kept, cert, false);
                }
            } catch (IllegalArgumentException e) {
                // unreadable or not a pair: made again
            }
        }
        TlsPair made = make(HostNames.of(hosts), now);
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x")); // the CLI trusts only what others cannot change
        PemOut.write(dir, KEY, PemOut.pem(new JcaPKCS8Generator(made.key(), null)), "rw-------");
        PemOut.write(dir, CERT, PemOut.pem(made.certificate()), "rw-r--r--");
        return new Made(made, cert, true);
    }

    /** Whether {@code c} is valid a day from now and names every host in {@code hosts}. */
    static boolean serves(X509Certificate c, Set<String> hosts, Instant now) {
        if (c.getNotAfter().toInstant().isBefore(now.plus(Duration.ofDays(1)))) return false;
        try {
            Collection<List<?>> names = c.getSubjectAlternativeNames();
            if (names == null) return hosts.isEmpty();
            Set<String> named = names.stream().map(n -> HostNames.normal(String.valueOf(n.get(1)))).collect(Collectors.toSet());
            return hosts.stream().map(HostNames::normal).allMatch(named::contains);
        } catch (CertificateParsingException e) {
            return false;
        }
    }

    static TlsPair make(List<String> names, Instant now) {
        KeyPair kp = Certificates.ecKey();
        var subject = new Certificates.Subject("O=Steward,CN=steward agent (self-signed in dev mode)", false, names,
                List.of(KeyPurposeId.id_kp_serverAuth));
        return new TlsPair(kp.getPrivate(), List.of(Certificates.sign(subject, kp, null, now, VALIDITY)));
    }
}
