package dev.steward.agent.traffic;

import java.util.Collection;
import java.util.Optional;

/** The services the data plane may reach, read without locks. */
public interface Backends {
    Optional<Backend> find(String name);

    Collection<? extends Backend> all();

    /** Bumped at every register, modify and unregister, so that readers may cache what they derive from specs. */
    long version();

    /** Both: {@code first}'s backends, then {@code second}'s; a name is looked up in that order. */
    static Backends joined(Backends first, Backends second) {
        return new Backends() {
            @Override
            public Optional<Backend> find(String name) {
                Optional<Backend> b = first.find(name);
                return b.isPresent() ? b : second.find(name);
            }

            @Override
            public Collection<? extends Backend> all() {
                java.util.List<Backend> all = new java.util.ArrayList<>(first.all());
                all.addAll(second.all());
                return all;
            }

            @Override
            public long version() {
                return first.version() + second.version(); // both only grow
            }
        };
    }
}
