package dev.steward.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClusterOptionsTest {
    @Test
    void parsesEndpointsAndLabels() {
        Cluster c = Cluster.parse("etcd://10.0.0.1:2379,etcd-2:2379,[::1]:2380", "10.0.0.5", List.of("zone=a", "disk=ssd"));
        assertThat(c.endpoints()).containsExactly("http://10.0.0.1:2379", "http://etcd-2:2379", "http://[::1]:2380");
        assertThat(c.labels()).isEqualTo(Map.of("zone", "a", "disk", "ssd"));
        assertThat(c.advertise()).isEqualTo("10.0.0.5");
        assertThat(Cluster.parse(null, null, null)).isNull();
    }

    @Test
    void refusesWhatIsNotAClusterUrlOrALabel() {
        assertThatThrownBy(() -> Cluster.parse("http://h:2379", null, null)).hasMessage("--cluster: 'http://h:2379' (expected: etcd://HOST:PORT[,HOST:PORT...], or etcds:// for etcd over TLS)");
        assertThatThrownBy(() -> Cluster.parse("etcd://h", null, null)).hasMessageContaining("expected: etcd://HOST:PORT");
        assertThatThrownBy(() -> Cluster.parse("etcd://h:2379,", null, null)).hasMessageContaining("expected: etcd://HOST:PORT");
        assertThatThrownBy(() -> Cluster.parse("etcd://h:70000", null, null)).hasMessageContaining("port 70000").hasMessageContaining("1-65535");
        assertThatThrownBy(() -> Cluster.parse("etcd://h:2379", null, List.of("zone"))).hasMessage("--labels: 'zone' (expected: KEY=VALUE)");
        assertThatThrownBy(() -> Cluster.parse("etcd://h:2379", null, List.of("Zone=a"))).hasMessageContaining("--labels: key 'Zone'");
        assertThatThrownBy(() -> Cluster.parse("etcd://h:2379", null, List.of("zone=a b"))).hasMessageContaining("--labels: value 'a b'");
        assertThatThrownBy(() -> Cluster.parse("etcd://h:2379", null, List.of("zone=a", "zone=b"))).hasMessage("--labels: zone given twice");
        assertThatThrownBy(() -> Cluster.parse("etcd://h:2379", "a b", null)).hasMessageContaining("--advertise: 'a b'");
        assertThatThrownBy(() -> Cluster.parse(null, null, List.of("zone=a"))).hasMessage("--labels needs --cluster");
        assertThatThrownBy(() -> Cluster.parse(null, "h", null)).hasMessage("--advertise needs --cluster");
    }

    @Test
    void etcdsNeedsTheClustersTlsFilesAndTokenAndEtcdTakesNoTlsFiles(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) throws Exception {
        dev.steward.agent.tls.ClusterCerts.make(tmp, List.of("a"), List.of("10.0.0.1"), java.time.Instant.now());
        var tls = dev.steward.agent.tls.ClusterTls.read(tmp.resolve("ca.pem"), tmp.resolve("a.pem"), tmp.resolve("a-key.pem"));
        String token = Cluster.token(tmp.resolve("token"));
        Cluster c = Cluster.parse("etcds://h:2379", null, null, tls, token);
        assertThat(c.endpoints()).containsExactly("https://h:2379");
        assertThat(c.secure()).isTrue();
        assertThat(c.toString()).doesNotContain(token);
        assertThatThrownBy(() -> Cluster.parse("etcds://h:2379", null, null, null, token)).hasMessageContaining("needs the cluster's TLS files: --cluster-ca FILE");
        assertThatThrownBy(() -> Cluster.parse("etcds://h:2379", null, null, tls, null)).hasMessageContaining("needs the cluster's token too: --cluster-token FILE");
        assertThatThrownBy(() -> Cluster.parse("etcd://h:2379", null, null, tls, token)).hasMessageContaining("give the cluster as etcds://");
        assertThatThrownBy(() -> Cluster.parse(null, null, null, null, token)).hasMessage("--cluster-token needs --cluster");
        assertThatThrownBy(() -> Cluster.token(tmp.resolve("nope"))).hasMessage("--cluster-token: " + tmp.resolve("nope") + ": no such file");
        java.nio.file.Files.writeString(tmp.resolve("short"), "abc\n");
        java.nio.file.Files.setPosixFilePermissions(tmp.resolve("short"), java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        assertThatThrownBy(() -> Cluster.token(tmp.resolve("short"))).hasMessageContaining("does not hold a token");
        assertThatThrownBy(() -> dev.steward.agent.tls.ClusterCerts.make(tmp, List.of("etcd"), List.of(), java.time.Instant.now()))
                .hasMessageContaining("'etcd' is taken by the etcd files");
        assertThatThrownBy(() -> dev.steward.agent.tls.ClusterCerts.make(tmp, List.of("B"), List.of(), java.time.Instant.now()))
                .hasMessageContaining("--nodes: 'B'");
        var made = dev.steward.agent.tls.ClusterCerts.make(tmp, List.of("a", "b"), List.of(), java.time.Instant.now());
        assertThat(made.written()).as("a and the CA kept; b signed by the same CA").containsExactly(tmp.resolve("b.pem"), tmp.resolve("b-key.pem"));
        dev.steward.agent.tls.ClusterTls.read(tmp.resolve("ca.pem"), tmp.resolve("b.pem"), tmp.resolve("b-key.pem"));
    }

    @Test
    void theAgentRefusesAClusterWithoutANodeName() {
        assertThat(dev.steward.agent.main.AgentMain.run("--cluster", "etcd://127.0.0.1:1", "--data-dir", "/nonexistent/x")).isEqualTo(2);
    }
}
