package dev.steward.agent.tls;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.SSLException;

/**
 * A certificate chain (the server's certificate first) and the private key of its first certificate,
 * checked to belong together (see {@link PemFiles}): what a listener serves TLS with.
 */
public record TlsPair(PrivateKey key, List<X509Certificate> chain) {
    public TlsPair {
        Objects.requireNonNull(key, "key");
        chain = List.copyOf(chain);
        if (chain.isEmpty()) throw new IllegalArgumentException("chain: empty (expected: the server's certificate first)");
    }

    /** The server's own certificate. */
    public X509Certificate certificate() {
        return chain.getFirst();
    }

    /** The certificate's SHA-256 fingerprint as {@code openssl x509 -noout -fingerprint -sha256} prints it: {@code AB:CD:...}. */
    public String fingerprint() {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(certificate().getEncoded());
            return HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest);
        } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
            throw new IllegalStateException("cannot fingerprint the certificate: " + e.getMessage(), e);
        }
    }

    /** A Netty server context serving this pair (HTTP/1.1, no ALPN): the gateway's. */
    public SslContext nettyServerContext() {
        try {
            return SslContextBuilder.forServer(key, chain.toArray(X509Certificate[]::new)).build();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot serve TLS with this pair: " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "TlsPair[" + certificate().getSubjectX500Principal() + ", SHA-256 " + fingerprint() + "]";
    }
}
