package dev.steward.agent.main;

import dev.steward.agent.config.Cluster;
import dev.steward.agent.tls.ClusterTls;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/** {@code steward agent}'s options for a cluster kept over TLS: the cluster's CA, this node's pair, and the cluster's token. */
final class ClusterOptions {
    @Option(names = "--cluster-ca", paramLabel = "FILE", description = "The cluster's CA (PEM): the only one trusted for etcd and the other agents. With etcds://.")
    Path ca;

    @Option(names = "--cluster-cert", paramLabel = "FILE", description = "This node's certificate (PEM), signed by --cluster-ca; shown to etcd and the other agents.")
    Path cert;

    @Option(names = "--cluster-key", paramLabel = "FILE", description = "The private key of --cluster-cert (PEM, unencrypted).")
    Path key;

    @Option(names = "--cluster-token", paramLabel = "FILE", description = "A file (mode 600) holding the cluster's token: every agent of the cluster shows the same one.")
    Path token;

    /** The cluster these options and {@code --cluster}, {@code --advertise}, {@code --labels} give, or null without {@code --cluster}. */
    Cluster resolve(String cluster, String advertise, List<String> labels) {
        ClusterTls tls = null;
        if (ca != null || cert != null || key != null) {
            if (ca == null || cert == null || key == null) {
                throw new IllegalArgumentException("--cluster-ca, --cluster-cert and --cluster-key go together (missing: " + missing() + ")");
            }
            tls = ClusterTls.read(ca, cert, key);
        }
        return Cluster.parse(cluster, advertise, labels, tls, Cluster.token(token));
    }

    private String missing() {
        List<String> out = new java.util.ArrayList<>();
        if (ca == null) out.add("--cluster-ca");
        if (cert == null) out.add("--cluster-cert");
        if (key == null) out.add("--cluster-key");
        return String.join(", ", out);
    }
}
