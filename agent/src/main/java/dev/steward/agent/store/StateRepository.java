package dev.steward.agent.store;

import dev.steward.agent.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Services and instances, typed, over a {@link Store}. */
public final class StateRepository {
    private static final String SERVICES = "services/";
    private static final String INSTANCES = "instances/";
    private final Store store;

    public StateRepository(Store store) {
        this.store = store;
    }

    public Optional<ServiceRecord> service(String name) {
        return store.get(SERVICES + name).map(s -> Json.read(s, ServiceRecord.class));
    }

    public List<ServiceRecord> services() {
        return store.list(SERVICES).values().stream().map(s -> Json.read(s, ServiceRecord.class)).toList();
    }

    public void save(ServiceRecord r) {
        store.put(SERVICES + r.name(), Json.write(r));
    }

    /** Removes a service and every instance record of it, at once. */
    public void remove(String name) {
        List<String> keys = new ArrayList<>(store.list(INSTANCES + name + "/").keySet());
        keys.add(SERVICES + name);
        store.apply(Map.of(), keys);
    }

    public List<InstanceRecord> instances(String service) {
        return store.list(INSTANCES + service + "/").values().stream().map(s -> Json.read(s, InstanceRecord.class)).toList();
    }

    public void save(InstanceRecord r) {
        store.put(INSTANCES + r.service() + "/" + r.id(), Json.write(r));
    }

    public void removeInstance(String service, String id) {
        store.delete(INSTANCES + service + "/" + id);
    }
}
