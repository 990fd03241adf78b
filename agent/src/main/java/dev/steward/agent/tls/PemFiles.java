package dev.steward.agent.tls;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * Reads a certificate chain and its private key from PEM files, as nginx's {@code ssl_certificate} and
 * {@code ssl_certificate_key} take them: the chain with the server's certificate first; the key
 * unencrypted, as PKCS#8 ({@code BEGIN PRIVATE KEY}), PKCS#1 ({@code BEGIN RSA PRIVATE KEY}) or SEC1
 * ({@code BEGIN EC PRIVATE KEY}). Every problem is an {@link IllegalArgumentException} naming the option
 * that gave the file.
 */
public final class PemFiles {
    private PemFiles() {}

    /** The pair in {@code cert} and {@code key}, checked to belong together. */
    public static TlsPair read(String certOption, Path cert, String keyOption, Path key) {
        List<X509Certificate> chain = certificates(certOption, cert);
        PrivateKey k = privateKey(keyOption, key);
        if (!belong(k, chain.getFirst().getPublicKey())) {
            throw new IllegalArgumentException(keyOption + ": " + key + " is not the key of the certificate in " + certOption + " " + cert
                    + " (" + chain.getFirst().getSubjectX500Principal() + ")");
        }
        return new TlsPair(k, chain);
    }

    /** The certificates in {@code file}, in order; what else it holds (a key bundled with them) is passed over. */
    public static List<X509Certificate> certificates(String option, Path file) {
        List<X509Certificate> chain = new ArrayList<>();
        JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
        for (Object o : objects(option, file)) {
            if (o instanceof X509CertificateHolder h) {
                try {
                    chain.add(converter.getCertificate(h));
                } catch (CertificateException e) {
                    throw new IllegalArgumentException(option + ": " + file + ": a certificate that cannot be read: " + e.getMessage(), e);
                }
            }
        }
        if (chain.isEmpty()) throw new IllegalArgumentException(option + ": " + file + " holds no PEM certificate (expected: -----BEGIN CERTIFICATE-----)");
        return chain;
    }

    /** The first private key in {@code file}. */
    static PrivateKey privateKey(String option, Path file) {
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
        for (Object o : objects(option, file)) {
            try {
                switch (o) {
                    case PrivateKeyInfo info -> { return supported(option, file, converter.getPrivateKey(info)); }
                    case PEMKeyPair pair -> { return supported(option, file, converter.getPrivateKey(pair.getPrivateKeyInfo())); }
                    case PKCS8EncryptedPrivateKeyInfo e -> throw encrypted(option, file);
                    case PEMEncryptedKeyPair e -> throw encrypted(option, file);
                    default -> { } // certificates, EC parameters: not the key
                }
            } catch (IOException e) {
                throw new IllegalArgumentException(option + ": " + file + ": a key that cannot be read: " + e.getMessage(), e);
            }
        }
        throw new IllegalArgumentException(option + ": " + file + " holds no PEM private key (expected: -----BEGIN PRIVATE KEY-----)");
    }

    private static PrivateKey supported(String option, Path file, PrivateKey key) {
        if (signatureAlgorithm(key) == null) {
            throw new IllegalArgumentException(option + ": " + file + " holds a " + key.getAlgorithm() + " key (expected: RSA, EC or EdDSA)");
        }
        return key;
    }

    private static String signatureAlgorithm(PrivateKey key) {
        return switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "EdDSA", "Ed25519", "Ed448" -> "EdDSA";
            default -> null;
        };
    }

    private static IllegalArgumentException encrypted(String option, Path file) {
        return new IllegalArgumentException(option + ": " + file + " is encrypted; give the key unencrypted, readable only by the agent's user"
                + " (openssl pkey -in " + file + " -out KEY.pem)");
    }

    /** Every PEM object in {@code file}. */
    private static List<Object> objects(String option, Path file) {
        if (!Files.exists(file)) throw new IllegalArgumentException(option + ": " + file + ": no such file");
        if (!Files.isRegularFile(file)) throw new IllegalArgumentException(option + ": " + file + " is not a file");
        List<Object> all = new ArrayList<>();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.US_ASCII); PEMParser p = new PEMParser(r)) {
            for (Object o = p.readObject(); o != null; o = p.readObject()) all.add(o);
        } catch (AccessDeniedException e) {
            throw new IllegalArgumentException(option + ": " + file + " cannot be read (permission denied)", e);
        } catch (IOException e) {
            throw new IllegalArgumentException(option + ": " + file + " is not valid PEM: " + e.getMessage(), e);
        }
        return all;
    }

    /** Whether {@code key} is the private half of {@code pub}: something signed with one verifies with the other. */
    static boolean belong(PrivateKey key, PublicKey pub) {
        String algorithm = signatureAlgorithm(key);
        if (algorithm == null) return false;
        try {
            byte[] probe = new byte[32];
            new SecureRandom().nextBytes(probe);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(pub);
            verifier.update(probe);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false; // a key of another kind than the certificate's
        }
    }
}
