package dev.steward.agent.traffic;

import java.util.Collection;
import java.util.Optional;

/** The services the data plane may reach, read without locks. */
public interface Backends {
    Optional<Backend> find(String name);

    Collection<? extends Backend> all();

    /** Bumped at every register, modify and unregister, so that readers may cache what they derive from specs. */
    long version();
}
