package dev.steward.agent.main;

import static org.assertj.core.api.Assertions.assertThat;

import dev.steward.agent.config.AgentConfig;
import dev.steward.agent.tls.SelfSigned;
import dev.steward.agent.tls.TlsPair;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code steward agent}'s TLS and exposure options: what is refused (exit 2, before anything binds) and what
 * dev mode makes. Nothing here starts an agent.
 */
class AgentMainTlsTest {
    @TempDir Path tmp;
    final InetSocketAddress loopback = new InetSocketAddress("127.0.0.1", 0);
    final InetSocketAddress wildcard = new InetSocketAddress("0.0.0.0", 0);

    record Run(int code, String err) {}

    Run agent(String... args) {
        PrintStream old = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            List<String> all = new java.util.ArrayList<>(List.of("--data-dir", tmp.resolve("data").toString()));
            all.addAll(List.of(args));
            return new Run(AgentMain.run(all.toArray(String[]::new)), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(old);
        }
    }

    SelfSigned.Made pair(String dir) throws Exception {
        return SelfSigned.ensure(tmp.resolve(dir), List.of(loopback), Clock.systemUTC());
    }

    @Test
    void anApiBeyondLoopbackWithoutTlsIsRefusedNamingTheFlags() {
        Run r = agent("--api", "0.0.0.0:0");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--api 0.0.0.0:0 is beyond loopback").contains("--tls-cert FILE and --tls-key FILE");
        assertThat(tmp.resolve("data")).doesNotExist();
    }

    @Test
    void anRpcPortBeyondLoopbackWithoutRpcPublicIsRefused() {
        Run r = agent("--rpc", "0.0.0.0:0");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--rpc 0.0.0.0:0 is beyond loopback").contains("unauthenticated").contains("--rpc-public");
    }

    @Test
    void aHalfPairAMismatchedPairAndGatewayTlsWithoutAPairAreRefused() throws Exception {
        Path cert = pair("a").cert();
        Path otherKey = pair("b").cert().resolveSibling(SelfSigned.KEY);
        assertThat(agent("--tls-cert", cert.toString()).err()).contains("--tls-cert needs --tls-key FILE too");
        assertThat(agent("--gateway-tls-key", otherKey.toString()).err()).contains("--gateway-tls-key needs --gateway-tls-cert FILE too");
        Run mismatched = agent("--tls-cert", cert.toString(), "--tls-key", otherKey.toString());
        assertThat(mismatched.code()).isEqualTo(2);
        assertThat(mismatched.err()).contains("--tls-key: " + otherKey + " is not the key of the certificate in --tls-cert " + cert);
        Run missing = agent("--gateway-tls-cert", tmp.resolve("none.pem").toString(), "--gateway-tls-key", otherKey.toString());
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err()).contains("--gateway-tls-cert: " + tmp.resolve("none.pem") + ": no such file");
        Run gateway = agent("--gateway-tls");
        assertThat(gateway.code()).isEqualTo(2);
        assertThat(gateway.err()).contains("--gateway-tls serves the gateway with the API's pair: give --tls-cert and --tls-key too");
    }

    @Test
    void devModeMakesAPairInTheDataDirForAnApiBeyondLoopbackAndReusesIt() throws Exception {
        Path data = tmp.resolve("data");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        AgentConfig.Tls first = options().resolve(true, data, wildcard, loopback, new PrintStream(out, true, StandardCharsets.UTF_8));
        assertThat(first.api()).isNotNull();
        assertThat(first.gateway()).isNull();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("made a self-signed TLS pair in " + data.resolve("tls").toAbsolutePath())
                .contains("SHA-256 fingerprint " + first.api().fingerprint()).contains("--ca-cert " + data.resolve("tls/cert.pem").toAbsolutePath());
        out.reset();
        AgentConfig.Tls again = options("--gateway-tls").resolve(true, data, wildcard, loopback, new PrintStream(out, true, StandardCharsets.UTF_8));
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("using the self-signed TLS pair");
        assertThat(again.api().fingerprint()).isEqualTo(first.api().fingerprint());
        assertThat(again.gateway()).isSameAs(again.api());
    }

    @Test
    void withoutDevModeTheGivenPairsServeAndNothingIsMade() throws Exception {
        SelfSigned.Made api = pair("api");
        SelfSigned.Made gw = pair("gw");
        Path data = tmp.resolve("data");
        AgentConfig.Tls own = options("--tls-cert", api.cert().toString(), "--tls-key", api.cert().resolveSibling("key.pem").toString(),
                "--gateway-tls-cert", gw.cert().toString(), "--gateway-tls-key", gw.cert().resolveSibling("key.pem").toString(), "--rpc-public")
                .resolve(false, data, wildcard, wildcard, System.out);
        assertThat(List.of(own.api(), own.gateway()).stream().map(TlsPair::fingerprint))
                .containsExactly(api.pair().fingerprint(), gw.pair().fingerprint());
        assertThat(own.rpcPublic()).isTrue();
        AgentConfig.Tls shared = options("--tls-cert", api.cert().toString(), "--tls-key", api.cert().resolveSibling("key.pem").toString(), "--gateway-tls")
                .resolve(true, data, wildcard, wildcard, System.out);
        assertThat(shared.gateway()).isSameAs(shared.api());
        assertThat(data).doesNotExist();
    }

    @Test
    void anRpcPortBeyondLoopbackWithRpcPublicIsAllowedWithAWarning() {
        assertThat(TlsOptions.warning(loopback)).isNull();
        assertThat(TlsOptions.warning(new InetSocketAddress("0.0.0.0", 10053)))
                .startsWith("warning: the RPC port (0.0.0.0:10053) is beyond loopback (--rpc-public) and has no authentication");
        assertThat(options("--rpc-public").resolve(false, tmp, loopback, loopback, System.out).rpcPublic()).isTrue();
    }

    TlsOptions options(String... args) {
        TlsOptions o = new TlsOptions();
        new CommandLine(o).parseArgs(args);
        return o;
    }
}
