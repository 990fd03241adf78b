package dev.steward.agent.placement;

import dev.steward.agent.Json;
import dev.steward.agent.service.InstanceView;
import dev.steward.agent.service.Placed;
import dev.steward.agent.store.EtcdStore;
import dev.steward.agent.store.InstanceRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/** What the scheduler assigned, as one node reads it from the store's cache (no call to etcd). */
public final class Assignments implements Placed {
    private final EtcdStore store;
    private final String node;

    public Assignments(EtcdStore store, String node) {
        this.store = store;
        this.node = node;
    }

    private Optional<Assignment> of(String service) {
        return store.get(Scheduler.ASSIGNMENTS + service).map(v -> Json.read(v, Assignment.class));
    }

    @Override
    public int count(String service) {
        return of(service).map(a -> a.on(node)).orElse(0);
    }

    @Override
    public Map<String, Integer> nodes(String service) {
        return of(service).map(Assignment::nodes).orElse(Map.of());
    }

    @Override
    public String pending(String service) {
        return of(service).map(Assignment::pending).orElse("");
    }

    @Override
    public List<InstanceView> elsewhere(String service) {
        List<InstanceView> out = new ArrayList<>();
        store.listRaw("local/").forEach((k, v) -> {
            String[] p = k.split("/");
            if (p.length != 5 || !p[2].equals("instances") || !p[3].equals(service) || p[1].equals(node)) return;
            if (store.modRevision("nodes/" + p[1]) == 0) return; // a node gone: its records are stale
            InstanceRecord r = Json.read(v, InstanceRecord.class);
            out.add(new InstanceView(r.id(), r.paused() ? "paused" : "running", r.ready() ? "healthy" : "unknown", r.pid(), r.port(), p[1],
                    r.started() > 0 ? Instant.ofEpochMilli(r.started()) : null, r.restarts(), "", null, null, null));
        });
        return out;
    }

    @Override
    public void want(String service, int count) {
        String key = Wants.PREFIX + service;
        Optional<String> now = store.get(key);
        try {
            if (count <= 0) {
                if (now.isPresent()) store.delete(key);
            } else if (!now.equals(Optional.of(Integer.toString(count)))) {
                store.put(key, Integer.toString(count));
            }
        } catch (RuntimeException e) { // etcd away: the count is said again at the service's next change
            System.err.println("steward: cannot tell the scheduler what " + service + " wants here: " + e.getMessage());
        }
    }

    @Override
    public AutoCloseable watch(Consumer<String> changed) {
        return store.watch(Scheduler.ASSIGNMENTS, (key, value) -> changed.accept(key.substring(Scheduler.ASSIGNMENTS.length())));
    }
}
