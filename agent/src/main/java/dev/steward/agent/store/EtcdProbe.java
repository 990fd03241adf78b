package dev.steward.agent.store;

import dev.steward.agent.tls.ClusterTls;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;

/**
 * Asks each etcd endpoint for {@code /health} the way the store will speak to it (TLS with the cluster's
 * pair, or plain) before jetcd connects, because jetcd retries a refused handshake until its call times out
 * and the reason is lost. An endpoint that cannot be reached at all is left to jetcd; one that refuses this
 * agent (or that this agent refuses) is named with the reason, and when none accepts, the join stops there.
 */
final class EtcdProbe {
    private static final int TIMEOUT_MS = 3000;

    private EtcdProbe() {}

    /** Throws a {@link StoreException} naming every refusal when no endpoint accepted this agent and at least one refused it. */
    static void check(List<String> endpoints, ClusterTls tls) {
        List<String> refusals = new ArrayList<>();
        for (String e : endpoints) {
            String why = refusal(URI.create(e), tls);
            if (why == null) return;
            if (!why.isEmpty()) refusals.add(why);
        }
        if (!refusals.isEmpty()) throw new StoreException("cannot join the cluster: " + String.join("; ", refusals), null);
    }

    /** null: the endpoint answered; "": it could not be reached (no verdict); else why it refused or was refused. */
    static String refusal(URI endpoint, ClusterTls tls) {
        String at = "etcd at " + endpoint.getHost() + ":" + endpoint.getPort();
        boolean handshook = false;
        try (Socket plain = new Socket()) {
            plain.connect(new InetSocketAddress(endpoint.getHost(), endpoint.getPort()), TIMEOUT_MS);
            plain.setSoTimeout(TIMEOUT_MS);
            Socket s = tls == null ? plain : tls.jdkContext().getSocketFactory().createSocket(plain, endpoint.getHost(), endpoint.getPort(), true);
            if (s instanceof SSLSocket ssl) ssl.startHandshake();
            handshook = tls != null;
            s.getOutputStream().write(("GET /health HTTP/1.1\r\nHost: " + endpoint.getHost() + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            String answer = head(s.getInputStream());
            if (answer.startsWith("HTTP/")) return null;
            return tls == null && servesTls(endpoint) ? at + " serves TLS: join with --cluster etcds://... and the cluster's --cluster-ca,"
                    + " --cluster-cert, --cluster-key and --cluster-token" : "";
        } catch (SSLHandshakeException e) {
            return tlsRefusal(at, e);
        } catch (SSLException e) {
            return tlsRefusal(at, e);
        } catch (ConnectException | java.net.SocketTimeoutException | java.net.UnknownHostException e) {
            return "";
        } catch (IOException e) {
            if (tls != null) { // TLS 1.3: the server judges the client's certificate at the handshake's end, and may just close
                if (!handshook && !servesTls(endpoint)) { // a plain etcd may reset a ClientHello rather than answer it
                    return at + " does not speak TLS: join with --cluster etcd://... (or start etcd with https:// client URLs)";
                }
                return at + " refused this agent's certificate (it closed the connection " + (handshook ? "after" : "during") + " the handshake: " + e.getMessage()
                        + "): --cluster-cert must be signed by the CA etcd trusts (its --trusted-ca-file)";
            }
            return "";
        }
    }

    /** Whether the endpoint answers a TLS handshake (its certificate is looked at only to tell so; nothing is sent). */
    private static boolean servesTls(URI endpoint) {
        try {
            javax.net.ssl.SSLContext any = javax.net.ssl.SSLContext.getInstance("TLS");
            any.init(null, new javax.net.ssl.TrustManager[] {new Curious()}, null);
            try (Socket plain = new Socket()) {
                plain.connect(new InetSocketAddress(endpoint.getHost(), endpoint.getPort()), TIMEOUT_MS);
                plain.setSoTimeout(TIMEOUT_MS);
                SSLSocket s = (SSLSocket) any.getSocketFactory().createSocket(plain, endpoint.getHost(), endpoint.getPort(), true);
                s.startHandshake();
                return true;
            }
        } catch (SSLException e) {
            // a plain server answers the ClientHello with bytes that are no TLS record, or ends the connection before any
            String m = String.valueOf(e.getMessage());
            return !m.contains("Unsupported or unrecognized SSL message") && !m.contains("Remote host terminated the handshake");
        } catch (IOException | java.security.GeneralSecurityException e) {
            return false;
        }
    }

    /** Trusts any server: used only to learn whether an endpoint speaks TLS at all, never to send anything. */
    private static final class Curious implements javax.net.ssl.X509TrustManager {
        @Override
        public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String authType) {
            throw new UnsupportedOperationException("a client-side probe");
        }

        @Override
        public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String authType) {
            // any: only whether it speaks TLS is asked
        }

        @Override
        public java.security.cert.X509Certificate[] getAcceptedIssuers() {
            return new java.security.cert.X509Certificate[0];
        }
    }

    private static String tlsRefusal(String at, SSLException e) {
        String m = String.valueOf(e.getMessage());
        if (m.contains("PKIX") || m.contains("certification path")) {
            return at + " shows a certificate that --cluster-ca did not sign (is it this cluster's etcd, and --cluster-ca this cluster's CA?)";
        }
        if (m.contains("bad_certificate") || m.contains("unknown_ca") || m.contains("certificate_unknown") || m.contains("certificate_required")
                || m.contains("decrypt_error")) {
            return at + " refused this agent's certificate (" + m.replace("Received fatal alert: ", "") + "): --cluster-cert must be signed by the CA etcd trusts (its --trusted-ca-file)";
        }
        if (m.contains("Unsupported or unrecognized SSL message") || m.contains("plaintext")) {
            return at + " does not speak TLS: join with --cluster etcd://... (or start etcd with https:// client URLs)";
        }
        if (m.contains("Remote host terminated the handshake")) {
            return at + " closed the connection at the TLS handshake; if it does not speak TLS, join with --cluster etcd://...";
        }
        return at + ": TLS failed: " + m;
    }

    /** The first line of an answer (or its first bytes), up to 200 characters. */
    private static String head(InputStream in) throws IOException {
        byte[] b = in.readNBytes(200);
        String s = new String(b, StandardCharsets.ISO_8859_1);
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl) + s.substring(nl).replace('\n', ' ');
    }
}
