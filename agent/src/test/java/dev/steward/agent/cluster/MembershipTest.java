package dev.steward.agent.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.steward.agent.Json;
import dev.steward.agent.store.EtcdServer;
import dev.steward.agent.store.EtcdStore;
import dev.steward.agent.store.Layout;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Taking the node's name in a real etcd. */
class MembershipTest {
    @TempDir Path dataDir;
    EtcdServer etcd;
    EtcdStore store;

    @BeforeEach
    void start() throws Exception {
        Assumptions.assumeTrue(EtcdServer.unavailable() == null, EtcdServer::unavailable);
        etcd = EtcdServer.start();
        store = new EtcdStore(etcd.endpoints(), new Layout("/steward/", "a", Layout.LOCAL));
    }

    @AfterEach
    void stop() throws Exception {
        if (store != null) store.close();
        if (etcd != null) etcd.close();
    }

    @Test
    void aLeaseThatRunsOutBeforeTheRecordIsPutIsGrantedAgain() throws Exception {
        // on a machine busy enough, the lease ends between its grant and the put: etcd then says NOT_FOUND
        AtomicInteger grants = new AtomicInteger();
        Membership m = Membership.join(store, new NodeReport("a", Map.of(), dataDir, Clock.systemUTC()), Duration.ofSeconds(5), Clock.systemUTC(), lease -> {
            if (grants.incrementAndGet() == 1) store.client().getLeaseClient().revoke(lease).join();
        });
        try {
            assertThat(grants).hasValue(2);
            var kv = store.client().getKVClient().get(store.key("nodes/a")).get().getKvs();
            assertThat(kv).hasSize(1);
            assertThat(kv.get(0).getLease()).isEqualTo(m.lease());
            assertThat(Json.read(kv.get(0).getValue().toString(java.nio.charset.StandardCharsets.UTF_8), NodeRecord.class).name()).isEqualTo("a");
            assertThat(m.nodes()).extracting(NodeView::name).containsExactly("a");
        } finally {
            m.close();
        }
    }
}
