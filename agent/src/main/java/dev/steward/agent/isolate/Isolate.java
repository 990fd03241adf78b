package dev.steward.agent.isolate;

import java.io.IOException;
import java.util.Optional;

/** How instances are run. One implementation per isolate type: process, sandbox, container. */
public interface Isolate {
    String type();

    /** Starts one instance; its output goes to the request's log file, never to a pipe held by the agent. */
    InstanceHandle spawn(SpawnRequest request) throws IOException;

    /** Takes over an instance left running by an earlier agent, if {@code pid} is still that very process. */
    Optional<InstanceHandle> adopt(String service, String instance, long pid, long startTicks, java.nio.file.Path log);

    /** Removes what instances of this agent left behind (containers) except those named {@code service/instance} in {@code keep}. */
    default void cleanup(java.util.Set<String> keep) {}
}
