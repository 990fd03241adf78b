package dev.steward.agent.service;

/** What a controller asks of the other services: whether they are available, and references on them. */
public interface Needs {
    boolean available(String service);

    /** Takes a reference on a service (which starts an on-demand service); false when it is not registered. */
    boolean use(String service);

    void release(String service);

    /** Tells the services that need {@code service} that its state changed. */
    void changed(String service);
}
