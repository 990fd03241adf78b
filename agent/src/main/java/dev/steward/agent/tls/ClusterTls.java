package dev.steward.agent.tls;

import io.netty.handler.ssl.SslContextBuilder;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS between the nodes of a cluster and its etcd: the cluster's CA (the only one trusted there) and this
 * node's pair, signed by it, which it shows as a client (to etcd and to other agents).
 */
public record ClusterTls(List<X509Certificate> ca, TlsPair pair) {
    public ClusterTls {
        ca = List.copyOf(ca);
        if (ca.isEmpty()) throw new IllegalArgumentException("--cluster-ca: no certificate");
        Objects.requireNonNull(pair, "pair");
    }

    /** Reads {@code --cluster-ca}, {@code --cluster-cert} and {@code --cluster-key}, and checks the pair is signed by the CA. */
    public static ClusterTls read(Path ca, Path cert, Path key) {
        List<X509Certificate> cas = PemFiles.certificates("--cluster-ca", ca);
        TlsPair pair = PemFiles.read("--cluster-cert", cert, "--cluster-key", key);
        X509Certificate mine = pair.certificate();
        boolean signed = cas.stream().anyMatch(c -> {
            try {
                mine.verify(c.getPublicKey());
                return true;
            } catch (GeneralSecurityException e) {
                return false;
            }
        });
        if (!signed) {
            throw new IllegalArgumentException("--cluster-cert: " + cert + " (" + mine.getSubjectX500Principal() + ") is not signed by the CA in --cluster-ca "
                    + ca + " (" + cas.getFirst().getSubjectX500Principal() + ")");
        }
        return new ClusterTls(cas, pair);
    }

    /** Netty's (and so jetcd's gRPC) client side: trusts the cluster's CA only, shows this node's pair. */
    public void configure(SslContextBuilder b) {
        b.trustManager(ca.toArray(X509Certificate[]::new)).keyManager(pair.key(), pair.chain().toArray(X509Certificate[]::new));
    }

    /** The JDK's client side, as above, for calls to other agents. */
    public SSLContext jdkContext() {
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            for (int i = 0; i < ca.size(); i++) trust.setCertificateEntry("ca" + i, ca.get(i));
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            char[] none = new char[0];
            keys.setKeyEntry("node", pair.key(), none, pair.chain().toArray(X509Certificate[]::new));
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, none);
            SSLContext c = SSLContext.getInstance("TLS");
            c.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
            return c;
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalStateException("cannot make the cluster's TLS context: " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "ClusterTls[" + pair + ", CA " + ca.getFirst().getSubjectX500Principal() + "]";
    }
}
