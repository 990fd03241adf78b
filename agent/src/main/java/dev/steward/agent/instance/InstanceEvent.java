package dev.steward.agent.instance;

import dev.steward.agent.health.PingResult;
import dev.steward.agent.isolate.ExitStatus;
import dev.steward.agent.isolate.InstanceHandle;
import dev.steward.model.InstanceState;
import java.util.Optional;

/**
 * What the work done outside a service's runner reports back to it, about one instance of one
 * generation (an event of an earlier generation is stale and ignored).
 */
public sealed interface InstanceEvent {
    String instance();

    long generation();

    record Spawned(String instance, long generation, InstanceHandle handle) implements InstanceEvent {}

    record SpawnFailed(String instance, long generation, String reason) implements InstanceEvent {}

    record Adopted(String instance, long generation, Optional<InstanceHandle> handle) implements InstanceEvent {}

    record Exited(String instance, long generation, ExitStatus status) implements InstanceEvent {}

    record Pinged(String instance, long generation, PingResult result) implements InstanceEvent {}

    /** Its requests in flight finished (or the wait ran out): it may be told to stop. */
    record Drained(String instance, long generation) implements InstanceEvent {}

    /** The stop grace passed: kill it if it still runs. */
    record KillDue(String instance, long generation) implements InstanceEvent {}

    /** Its restart back-off passed. */
    record RestartDue(String instance, long generation) implements InstanceEvent {}

    /** A pause or resume was done (or failed, with {@code error}). */
    record Moved(String instance, long generation, InstanceState to, String error) implements InstanceEvent {}

    /** Where events go: the owning service's inbox. */
    interface Mailbox {
        void post(InstanceEvent e);
    }
}
