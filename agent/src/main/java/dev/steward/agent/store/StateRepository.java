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

    /** Stores a new service; false when a record of that name exists (another node registered it first). */
    public boolean create(ServiceRecord r) {
        return store.putIfAbsent(SERVICES + r.name(), Json.write(r));
    }

    /** Calls {@code listener} with each service another writer (another node) stored or removed. */
    public AutoCloseable watchServices(java.util.function.BiConsumer<String, Optional<ServiceRecord>> listener) {
        return store.watch(SERVICES, (key, value) -> listener.accept(key.substring(SERVICES.length()), value.map(s -> Json.read(s, ServiceRecord.class))));
    }

    /** Removes a service and every instance record of it (in one batch when a transaction takes them all). */
    public void remove(String name) {
        List<String> keys = new ArrayList<>(store.list(INSTANCES + name + "/").keySet());
        if (keys.size() >= Store.MAX_BATCH) {
            store.deletePrefix(INSTANCES + name + "/");
            keys.clear();
        }
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
