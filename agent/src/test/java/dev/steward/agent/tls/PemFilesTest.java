package dev.steward.agent.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PEM pairs as nginx takes them: every usual key form read, and each problem named with the option that gave the file. */
class PemFilesTest {
    @TempDir Path tmp;
    final TlsPair pair = SelfSigned.make(List.of("localhost", "127.0.0.1"), Instant.now());

    Path write(String name, Object... objects) throws Exception {
        StringWriter s = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(s)) {
            for (Object o : objects) w.writeObject(o);
        }
        return Files.writeString(tmp.resolve(name), s.toString());
    }

    TlsPair read(Path cert, Path key) {
        return PemFiles.read("--tls-cert", cert, "--tls-key", key);
    }

    /** Runs the openssl command in {@code tmp}: keys and certificates as users bring them. */
    String openssl(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(tmp.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(out).isZero();
        return out;
    }

    @Test
    void aPkcs8KeyFromTheAgentIsReadAndMatchesItsCertificate() throws Exception {
        TlsPair read = read(write("cert.pem", pair.certificate()), write("key.pem", new JcaPKCS8Generator(pair.key(), null)));
        assertThat(read.fingerprint()).isEqualTo(pair.fingerprint()).matches("([0-9A-F]{2}:){31}[0-9A-F]{2}");
        assertThat(read.key()).isEqualTo(pair.key());
    }

    @Test
    void opensslsSec1AndPkcs1KeysAreReadAndTheFingerprintIsOpensslsToo() throws Exception {
        openssl("ecparam", "-name", "prime256v1", "-genkey", "-out", "ec.pem");
        openssl("req", "-x509", "-key", "ec.pem", "-subj", "/CN=localhost", "-days", "2", "-out", "ec-cert.pem");
        openssl("genrsa", "-traditional", "-out", "rsa.pem", "2048");
        openssl("req", "-x509", "-key", "rsa.pem", "-subj", "/CN=localhost", "-days", "2", "-out", "rsa-cert.pem");
        assertThat(Files.readString(tmp.resolve("ec.pem"))).contains("-----BEGIN EC PRIVATE KEY-----");
        assertThat(Files.readString(tmp.resolve("rsa.pem"))).startsWith("-----BEGIN RSA PRIVATE KEY-----");
        TlsPair ec = read(tmp.resolve("ec-cert.pem"), tmp.resolve("ec.pem"));
        TlsPair rsa = read(tmp.resolve("rsa-cert.pem"), tmp.resolve("rsa.pem"));
        assertThat(ec.key().getAlgorithm()).isEqualTo("EC");
        assertThat(rsa.key().getAlgorithm()).isEqualTo("RSA");
        assertThat(openssl("x509", "-in", "rsa-cert.pem", "-noout", "-fingerprint", "-sha256").strip()).endsWith("=" + rsa.fingerprint());
        assertThatThrownBy(() -> read(tmp.resolve("rsa-cert.pem"), tmp.resolve("ec.pem")))
                .hasMessageStartingWith("--tls-key: " + tmp.resolve("ec.pem") + " is not the key of the certificate");
    }

    @Test
    void aKeyBundledWithTheChainInOneFileServesForBoth() throws Exception {
        Path both = write("both.pem", pair.certificate(), new JcaPKCS8Generator(pair.key(), null));
        assertThat(read(both, both).chain()).hasSize(1);
    }

    @Test
    void aKeyOfAnotherCertificateIsRefusedNamingBothOptions() throws Exception {
        TlsPair other = SelfSigned.make(List.of("localhost"), Instant.now());
        Path cert = write("cert.pem", pair.certificate());
        Path key = write("other.pem", new JcaPKCS8Generator(other.key(), null));
        assertThatThrownBy(() -> read(cert, key)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("--tls-key: " + key + " is not the key of the certificate in --tls-cert " + cert);
    }

    @Test
    void aMissingFileAFileWithoutPemAndSwappedFilesAreRefusedNamingTheOption() throws Exception {
        Path cert = write("cert.pem", pair.certificate());
        Path key = write("key.pem", new JcaPKCS8Generator(pair.key(), null));
        assertThatThrownBy(() -> read(tmp.resolve("nope.pem"), key)).hasMessage("--tls-cert: " + tmp.resolve("nope.pem") + ": no such file");
        assertThatThrownBy(() -> read(tmp, key)).hasMessage("--tls-cert: " + tmp + " is not a file");
        Path text = Files.writeString(tmp.resolve("text.pem"), "hello\n");
        assertThatThrownBy(() -> read(text, key)).hasMessageStartingWith("--tls-cert: " + text + " holds no PEM certificate");
        assertThatThrownBy(() -> read(key, cert)).hasMessageStartingWith("--tls-cert: " + key + " holds no PEM certificate");
        assertThatThrownBy(() -> read(cert, cert)).hasMessageStartingWith("--tls-key: " + cert + " holds no PEM private key");
        Path broken = Files.writeString(tmp.resolve("broken.pem"), "-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n");
        assertThatThrownBy(() -> read(broken, key)).hasMessageStartingWith("--tls-cert: " + broken + " is not valid PEM");
    }

    @Test
    void anEncryptedKeyIsRefusedWithHowToDecryptIt() throws Exception {
        var encryptor = new JceOpenSSLPKCS8EncryptorBuilder(PKCSObjectIdentifiers.pbeWithSHAAnd3_KeyTripleDES_CBC).setPassword("pw".toCharArray()).build();
        Path key = write("enc.pem", new JcaPKCS8Generator(pair.key(), encryptor));
        assertThat(Files.readString(key)).startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----");
        assertThatThrownBy(() -> read(write("cert.pem", pair.certificate()), key))
                .hasMessageStartingWith("--tls-key: " + key + " is encrypted").hasMessageContaining("openssl pkey");
    }

    @Test
    void thePairNeverPrintsItsKey() {
        assertThat(pair.toString()).contains("SHA-256 " + pair.fingerprint()).doesNotContain("private");
    }
}
