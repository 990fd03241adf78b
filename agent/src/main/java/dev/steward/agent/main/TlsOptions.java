package dev.steward.agent.main;

import dev.steward.agent.config.AgentConfig;
import dev.steward.agent.tls.PemFiles;
import dev.steward.agent.tls.SelfSigned;
import dev.steward.agent.tls.TlsPair;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * {@code steward agent}'s options about TLS and exposure, as nginx and Nomad users expect them: a pair of
 * PEM files for the API; the gateway either with a pair of its own (its public names are usually not the
 * API's) or, with {@code --gateway-tls}, with the API's; in dev mode a self-signed pair where TLS is needed
 * and no pair is given.
 */
final class TlsOptions {
    @Option(names = "--tls-cert", paramLabel = "FILE", description = "The API's certificate chain (PEM, the server's first); with --tls-key the API serves HTTPS. Needed for an --api beyond loopback.")
    Path cert;

    @Option(names = "--tls-key", paramLabel = "FILE", description = "The private key of --tls-cert (PEM, unencrypted).")
    Path key;

    @Option(names = "--gateway-tls", description = "The gateway serves HTTPS too, with the API's pair (--tls-cert, --tls-key).")
    boolean gatewayTls;

    @Option(names = "--gateway-tls-cert", paramLabel = "FILE", description = "The gateway's own certificate chain (PEM); with --gateway-tls-key the gateway serves HTTPS.")
    Path gatewayCert;

    @Option(names = "--gateway-tls-key", paramLabel = "FILE", description = "The private key of --gateway-tls-cert (PEM, unencrypted).")
    Path gatewayKey;

    @Option(names = "--rpc-public", description = "Let --rpc bind beyond loopback. Its protocol has no authentication: anyone who reaches it can call every app.")
    boolean rpcPublic;

    /** The settings these options give; a self-signed pair is made (or reused) in {@code DATA/tls} when dev mode needs one. */
    AgentConfig.Tls resolve(boolean dev, Path dataDir, InetSocketAddress api, InetSocketAddress gateway, PrintStream out) {
        TlsPair apiPair = pair("--tls-cert", cert, "--tls-key", key);
        TlsPair gatewayPair = pair("--gateway-tls-cert", gatewayCert, "--gateway-tls-key", gatewayKey);
        if (gatewayPair == null && gatewayTls) gatewayPair = apiPair;
        boolean apiNeeds = apiPair == null && !AgentConfig.Tls.loopback(api);
        boolean gatewayNeeds = gatewayPair == null && gatewayTls;
        if (gatewayNeeds && !dev) {
            throw new IllegalArgumentException("--gateway-tls serves the gateway with the API's pair: give --tls-cert and --tls-key too,"
                    + " or the gateway's own with --gateway-tls-cert and --gateway-tls-key");
        }
        if (dev && (apiNeeds || gatewayNeeds)) {
            List<InetSocketAddress> served = new ArrayList<>();
            if (apiNeeds) served.add(api);
            if (gatewayNeeds) served.add(gateway);
            TlsPair made = selfSigned(dataDir.resolve("tls"), served, out);
            if (apiNeeds) apiPair = made;
            if (gatewayNeeds) gatewayPair = made;
        }
        return new AgentConfig.Tls(apiPair, gatewayPair, rpcPublic);
    }

    /** The warning an RPC port beyond loopback gets, or null. */
    static String warning(InetSocketAddress rpc) {
        if (AgentConfig.Tls.loopback(rpc)) return null;
        return "warning: the RPC port (" + AgentConfig.Tls.text(rpc) + ") is beyond loopback (--rpc-public) and has no"
                + " authentication: anyone who reaches it can locate and call every app";
    }

    /** Both files of a pair or neither. */
    private static TlsPair pair(String certOption, Path certFile, String keyOption, Path keyFile) {
        if (certFile == null && keyFile == null) return null;
        if (certFile == null) throw new IllegalArgumentException(keyOption + " needs " + certOption + " FILE too (both or neither)");
        if (keyFile == null) throw new IllegalArgumentException(certOption + " needs " + keyOption + " FILE too (both or neither)");
        return PemFiles.read(certOption, certFile, keyOption, keyFile);
    }

    private static TlsPair selfSigned(Path dir, List<InetSocketAddress> served, PrintStream out) {
        try {
            SelfSigned.Made m = SelfSigned.ensure(dir, served, Clock.systemUTC());
            out.println("steward: " + (m.fresh() ? "made a self-signed TLS pair in " : "using the self-signed TLS pair in ") + dir.toAbsolutePath()
                    + " (dev mode); certificate SHA-256 fingerprint " + m.pair().fingerprint());
            out.println("steward: clients trust it with --ca-cert " + m.cert().toAbsolutePath() + " (the steward CLI finds it by itself in ./.steward and ~/.local/share/steward)");
            return m.pair();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep a self-signed TLS pair in " + dir.toAbsolutePath() + ": " + e.getMessage(), e);
        }
    }
}
