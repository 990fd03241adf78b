package dev.steward.agent.isolate;

import dev.steward.agent.isolate.cgroup.Cgroup;
import dev.steward.agent.isolate.cgroup.Cgroups;
import dev.steward.model.Resources;
import java.io.IOException;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The cgroups of one agent's instances, whatever their isolate: made before a spawn, found again at
 * adoption, emptied and removed when the instance ends, and at start the leftovers nobody adopted
 * removed. Groups are made and removed under one lock, so that a leftover is never removed while an
 * instance of the same name is being spawned into it, and a group in use never while it is made.
 */
public final class InstanceCgroups {
    private final Cgroups cgroups;
    private final Set<String> live = ConcurrentHashMap.newKeySet();
    private final ReentrantLock lock = new ReentrantLock();

    public InstanceCgroups(Cgroups cgroups) {
        this.cgroups = cgroups;
    }

    /** A new group for an instance; whatever an earlier one of the same name left in it is killed first. */
    Cgroup create(String service, String instance, Resources limits) throws IOException {
        lock.lock();
        try {
            cgroups.find(service, instance).ifPresent(Cgroup::killAll);
            Cgroup cg = cgroups.create(service, instance, limits);
            live.add(cg.name());
            return cg;
        } finally {
            lock.unlock();
        }
    }

    /** The group of an instance left running by an earlier agent. */
    Optional<Cgroup> adopt(String service, String instance) {
        Optional<Cgroup> cg = cgroups.find(service, instance);
        cg.ifPresent(g -> live.add(g.name()));
        return cg;
    }

    /** The instance has ended: nothing of it is left running, and its group goes. */
    void release(Cgroup cg) {
        cg.killAll();
        lock.lock();
        try {
            cg.remove();
            live.remove(cg.name());
        } finally {
            lock.unlock();
        }
    }

    /** Kills and removes every group of this agent except those in use and those named ({@code service/instance}) in {@code keep}. */
    void cleanup(Set<String> keep) {
        lock.lock();
        try {
            for (Cgroup cg : cgroups.all()) {
                if (keep.contains(cg.name()) || live.contains(cg.name())) continue;
                cg.killAll();
                cg.remove();
            }
        } finally {
            lock.unlock();
        }
    }

    public String version() {
        return cgroups.version();
    }
}
