package dev.steward.agent.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Dev mode's pair: made once with its key kept private, reused while it serves, made again when it no longer does. */
class SelfSignedTest {
    @TempDir Path tmp;
    final Instant now = Instant.parse("2030-01-01T00:00:00Z");
    final List<InetSocketAddress> wildcard = List.of(new InetSocketAddress("0.0.0.0", 7700));

    SelfSigned.Made ensure(List<InetSocketAddress> listeners, Instant at) throws Exception {
        return SelfSigned.ensure(tmp.resolve("tls"), listeners, Clock.fixed(at, ZoneOffset.UTC));
    }

    @Test
    void madeWithTheKeyReadableByTheAgentsUserOnlyThenReused() throws Exception {
        SelfSigned.Made first = ensure(wildcard, now);
        assertThat(first.fresh()).isTrue();
        assertThat(first.cert()).isEqualTo(tmp.resolve("tls/cert.pem"));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tmp.resolve("tls/key.pem")))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tmp.resolve("tls/cert.pem")))).isEqualTo("rw-r--r--");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tmp.resolve("tls")))).isEqualTo("rwxr-xr-x");
        assertThat(Files.readString(tmp.resolve("tls/key.pem"))).startsWith("-----BEGIN PRIVATE KEY-----");
        try (var left = Files.list(tmp.resolve("tls"))) {
            assertThat(left.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("cert.pem", "key.pem");
        }
        SelfSigned.Made again = ensure(wildcard, now.plus(Duration.ofDays(100)));
        assertThat(again.fresh()).isFalse();
        assertThat(again.pair().fingerprint()).isEqualTo(first.pair().fingerprint());
    }

    @Test
    void theCertificateNamesLoopbackAndTheHostsTheListenersBind() throws Exception {
        SelfSigned.Made m = ensure(List.of(new InetSocketAddress("127.0.0.1", 0), new InetSocketAddress("::1", 0)), now);
        var names = m.pair().certificate().getSubjectAlternativeNames().stream().map(n -> HostNames.normal(String.valueOf(n.get(1)))).toList();
        assertThat(names).contains("localhost", "127.0.0.1", HostNames.normal("::1"));
        assertThat(m.pair().certificate().getNotAfter().toInstant()).isEqualTo(now.plus(SelfSigned.VALIDITY));
    }

    @Test
    void madeAgainWhenItExpiresWithinADayOrDoesNotNameTheHost() throws Exception {
        String first = ensure(wildcard, now).pair().fingerprint();
        SelfSigned.Made late = ensure(wildcard, now.plus(SelfSigned.VALIDITY).minus(Duration.ofHours(12)));
        assertThat(late.fresh()).isTrue();
        assertThat(late.pair().fingerprint()).isNotEqualTo(first);
        SelfSigned.Made named = ensure(List.of(InetSocketAddress.createUnresolved("steward.example", 7700)), now);
        assertThat(named.fresh()).isTrue();
        assertThat(ensure(List.of(InetSocketAddress.createUnresolved("Steward.Example", 7700)), now).fresh()).isFalse();
    }

    @Test
    void aDamagedPairIsMadeAgain() throws Exception {
        String first = ensure(wildcard, now).pair().fingerprint();
        Files.writeString(tmp.resolve("tls/key.pem"), "garbage");
        SelfSigned.Made m = ensure(wildcard, now);
        assertThat(m.fresh()).isTrue();
        assertThat(m.pair().fingerprint()).isNotEqualTo(first);
    }
}
