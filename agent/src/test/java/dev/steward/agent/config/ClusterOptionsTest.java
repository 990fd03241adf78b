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
        assertThatThrownBy(() -> Cluster.parse("http://h:2379", null, null)).hasMessage("--cluster: 'http://h:2379' (expected: etcd://HOST:PORT[,HOST:PORT...])");
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
    void theAgentRefusesAClusterWithoutANodeName() {
        assertThat(dev.steward.agent.main.AgentMain.run("--cluster", "etcd://127.0.0.1:1", "--data-dir", "/nonexistent/x")).isEqualTo(2);
    }
}
