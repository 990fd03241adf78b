package dev.steward.agent;

import dev.steward.agent.store.EtcdServer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** A real etcd per test, and agents as nodes of it in JVMs of their own: killed, with what they left, at the end. */
abstract class EtcdNodesTest {
    @TempDir Path tmp;
    final List<Process> agents = new ArrayList<>();
    final List<Long> strays = new ArrayList<>();
    final List<Path> dataDirs = new ArrayList<>();
    EtcdServer etcd;

    @BeforeEach
    void startEtcd() throws Exception {
        Assumptions.assumeTrue(EtcdServer.unavailable() == null, EtcdServer::unavailable);
        etcd = EtcdServer.start();
    }

    @AfterEach
    void cleanUp() throws Exception {
        agents.forEach(Process::destroyForcibly);
        for (Process p : agents) p.waitFor();
        for (Path d : dataDirs) Procs.killLeftovers(d, strays);
        if (etcd != null) etcd.close();
    }

    /** Node {@code name} with {@code labels} ({@code k=v,...}, or empty), on its own data dir under the test's. */
    RemoteAgent startNode(String name, String labels) throws Exception {
        Path data = tmp.resolve(name);
        if (!dataDirs.contains(data)) dataDirs.add(data);
        return labels.isEmpty() ? RemoteAgent.startNode(data, tmp, etcd.clusterUrl(), name, agents)
                : RemoteAgent.startNode(data, tmp, etcd.clusterUrl(), name, labels, agents);
    }
}
