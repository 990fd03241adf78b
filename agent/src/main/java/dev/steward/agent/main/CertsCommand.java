package dev.steward.agent.main;

import dev.steward.agent.tls.ClusterCerts;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code steward agent certs DIR --nodes a,b,c}: the cluster's CA, etcd's and each node's pair, and the cluster's token. */
@Command(name = "certs", addMethodSubcommands = false, mixinStandardHelpOptions = true,
        description = "Make a cluster's CA, a certificate for etcd and one per node, and the cluster's token in DIR (what exists there is kept).")
final class CertsCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "DIR", description = "Where the files go (made if missing, mode 700).")
    Path dir;

    @Option(names = "--nodes", paramLabel = "NAME", split = ",", required = true, description = "The nodes' names, as --node-name gives them.")
    List<String> nodes;

    @Option(names = "--hosts", paramLabel = "HOST", split = ",", description = "Host names and addresses every certificate names too (the nodes' and etcd's addresses).")
    List<String> hosts;

    @Override
    public Integer call() {
        try {
            ClusterCerts.Made made = ClusterCerts.make(dir, nodes, hosts == null ? List.of() : hosts, Instant.now());
            if (made.written().isEmpty()) System.out.println("steward: " + dir + " holds every file already; nothing written");
            made.written().forEach(f -> System.out.println("steward: wrote " + f));
            System.out.println("steward: etcd: --client-cert-auth --trusted-ca-file " + dir.resolve(ClusterCerts.CA) + " --cert-file "
                    + dir.resolve("etcd.pem") + " --key-file " + dir.resolve("etcd-key.pem") + " and https:// client URLs");
            System.out.println("steward: node N: steward agent --cluster etcds://HOST:PORT --node-name N --cluster-ca " + dir.resolve(ClusterCerts.CA)
                    + " --cluster-cert " + dir.resolve("N.pem") + " --cluster-key " + dir.resolve("N-key.pem") + " --cluster-token " + dir.resolve(ClusterCerts.TOKEN));
            return 0;
        } catch (IllegalArgumentException e) {
            System.err.println("steward: " + e.getMessage());
            return 2;
        } catch (IOException e) {
            System.err.println("steward: cannot write in " + dir + ": " + e.getMessage());
            return 1;
        }
    }
}
