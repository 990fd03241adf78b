package dev.steward.agent;

import dev.steward.agent.store.EtcdServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A cluster on one machine as if on several: a {@link NetRig} bridge, a three-member
 * {@link EtcdCluster}, and agents as nodes {@code n0, n1, ...}, each in a JVM of its own in a network
 * namespace of its own, reached over the bridge. A node may be killed, started again, cut off and
 * joined again; {@link #close} removes it all (processes, namespaces, bridge), whatever happened.
 */
public final class ClusterRig implements AutoCloseable {
    private final NetRig net;
    private final Path dir;
    private final List<Process> started = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final List<Integer> spaces = new ArrayList<>();
    private final List<RemoteAgent> agents = new ArrayList<>();
    private EtcdCluster etcd;
    /** Removes it all should the test's JVM be stopped before the test's own clean-up. */
    private final Thread onExit = new Thread(this::close, "cluster-rig-cleanup");

    private ClusterRig(NetRig net, Path dir) {
        this.net = net;
        this.dir = dir;
        Runtime.getRuntime().addShutdownHook(onExit);
    }

    /** Why the rig cannot run here, or null. */
    public static String unavailable() {
        String etcd = EtcdServer.unavailable();
        return etcd != null ? etcd : NetRig.unavailable();
    }

    /** The network, etcd's three members, and {@code nodes} agents, each serving; data and logs under {@code dir}. */
    public static ClusterRig start(Path dir, int nodes) throws Exception {
        ClusterRig rig = new ClusterRig(NetRig.create(), dir);
        try {
            rig.etcd = EtcdCluster.start(rig.net, dir.resolve("etcd"));
            for (int i = 0; i < nodes; i++) rig.spaces.add(rig.net.addSpace());
            rig.launchAll(nodes);
        } catch (Exception e) {
            rig.close();
            throw e;
        }
        return rig;
    }

    public EtcdCluster etcd() {
        return etcd;
    }

    public int size() {
        return agents.size();
    }

    public static String name(int i) {
        return "n" + i;
    }

    /** The agent of node {@code i}, as last started. */
    public RemoteAgent agent(int i) {
        return agents.get(i);
    }

    /** The index of node {@code name}. */
    public int index(String name) {
        return Integer.parseInt(name.substring(1));
    }

    /** Starts every node's agent at once (each JVM takes seconds to start on a busy machine). */
    private void launchAll(int nodes) throws Exception {
        List<java.util.concurrent.CompletableFuture<RemoteAgent>> starting = new ArrayList<>();
        for (int i = 0; i < nodes; i++) {
            int n = i;
            starting.add(java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return launch(n);
                } catch (Exception e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            }, r -> Thread.ofVirtual().name("start-" + name(n)).start(r)));
        }
        for (var s : starting) {
            try {
                agents.add(s.join());
            } catch (java.util.concurrent.CompletionException e) {
                throw e.getCause() instanceof Exception x ? x : e;
            }
        }
    }

    private RemoteAgent launch(int i) throws Exception {
        Path data = dir.resolve(name(i));
        Files.createDirectories(data);
        return RemoteAgent.startNodeOn(net.in(spaces.get(i)), net.address(spaces.get(i)), data, dir, etcd.clusterUrl(), name(i), started);
    }

    /** SIGKILLs node {@code i}'s agent; its instances keep running. */
    public void kill(int i) throws Exception {
        agents.get(i).kill9();
    }

    /** Starts node {@code i}'s agent again on its data dir. */
    public RemoteAgent restart(int i) throws Exception {
        agents.set(i, launch(i));
        return agents.get(i);
    }

    /** Cuts node {@code i} off: its link to the bridge goes down. */
    public void partition(int i) throws IOException {
        net.down(spaces.get(i));
    }

    /** Joins node {@code i} again. */
    public void heal(int i) throws IOException {
        net.up(spaces.get(i));
    }

    /**
     * How many instances of {@code service} run on every node, from the machine's processes (what runs,
     * whatever any agent or etcd says): the distinct {@code STEWARD_INSTANCE} of the processes in the
     * nodes' namespaces whose {@code STEWARD_SERVICE} is {@code service}.
     */
    public int running(String service) throws IOException {
        Set<String> instances = new HashSet<>();
        for (int space : spaces) {
            for (long pid : net.pids(space)) {
                String env;
                try {
                    env = Files.readString(Path.of("/proc", Long.toString(pid), "environ"));
                } catch (IOException | RuntimeException gone) {
                    continue;
                }
                List<String> vars = List.of(env.split("\0"));
                if (!vars.contains("STEWARD_SERVICE=" + service)) continue;
                vars.stream().filter(v -> v.startsWith("STEWARD_INSTANCE=")).findFirst().ifPresent(instances::add);
            }
        }
        return instances.size();
    }

    /** Copies the agents' and etcd's logs to the directory the system property {@code steward.rig.logs} names, if set (to look at a failure). */
    private void keepLogs() {
        String to = System.getProperty("steward.rig.logs");
        if (to == null) return;
        try (var files = Files.walk(dir)) {
            Path target = Files.createDirectories(Path.of(to).resolve(Long.toString(System.currentTimeMillis())));
            for (Path f : files.filter(f -> f.toString().endsWith(".err") || f.toString().endsWith(".log")).toList()) {
                Files.copy(f, target.resolve(dir.relativize(f).toString().replace('/', '-')));
            }
        } catch (IOException e) {
            System.err.println("cluster rig: cannot keep the logs: " + e);
        }
    }

    @Override
    public void close() {
        if (Thread.currentThread() != onExit) {
            try {
                Runtime.getRuntime().removeShutdownHook(onExit);
            } catch (IllegalStateException exiting) {
                // the hook runs it
            }
        }
        started.forEach(Process::destroyForcibly);
        keepLogs();
        if (etcd != null) etcd.close();
        net.close(); // what the agents started dies with the namespaces' processes
        for (int i = 0; i < spaces.size(); i++) {
            try {
                Procs.killLeftovers(dir.resolve(name(i)), List.of());
            } catch (IOException | RuntimeException e) {
                System.err.println("cluster rig: leftovers of " + name(i) + ": " + e);
            }
        }
    }
}
