package dev.steward.agent.tls;

import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.IPAddress;

/** Makes EC P-256 keys and the certificates Steward signs: self-signed ones, a cluster's CA, and the leaves that CA signs. */
final class Certificates {
    private Certificates() {}

    /** Who signs: the issuer's name and key (a self-signed certificate names itself and signs with its own key). */
    record Issuer(X500Name name, PrivateKey key) {}

    /** What a certificate says: its subject, whether it is a CA, its host names and addresses, and what its key is for. */
    record Subject(String dn, boolean ca, List<String> names, List<KeyPurposeId> purposes) {
        Subject {
            names = List.copyOf(names);
            purposes = List.copyOf(purposes);
        }
    }

    static KeyPair ecKey() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot make an EC key: " + e.getMessage(), e);
        }
    }

    /** A certificate for {@code key}'s public half, valid from an hour before {@code now} for {@code validity}; {@code issuer} null: self-signed. */
    static X509Certificate sign(Subject s, KeyPair key, Issuer issuer, Instant now, Duration validity) {
        X500Name subject = new X500Name(s.dn());
        Issuer by = issuer != null ? issuer : new Issuer(subject, key.getPrivate());
        try {
            BigInteger serial = new BigInteger(64, new SecureRandom()).setBit(62);
            var b = new JcaX509v3CertificateBuilder(by.name(), serial, Date.from(now.minus(Duration.ofHours(1))),
                    Date.from(now.plus(validity)), subject, key.getPublic());
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(s.ca()));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(s.ca() ? KeyUsage.keyCertSign | KeyUsage.cRLSign : KeyUsage.digitalSignature));
            if (!s.purposes().isEmpty()) {
                b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(s.purposes().toArray(KeyPurposeId[]::new)));
            }
            if (!s.names().isEmpty()) {
                b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(s.names().stream()
                        .map(n -> new GeneralName(IPAddress.isValid(n) ? GeneralName.iPAddress : GeneralName.dNSName, n)).toArray(GeneralName[]::new)));
            }
            return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(by.key())));
        } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
            throw new IllegalStateException("cannot make a certificate for " + s.dn() + ": " + e.getMessage(), e);
        }
    }
}
