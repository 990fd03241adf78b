package dev.steward.agent.service;

import dev.steward.agent.instance.InstanceEvent;
import dev.steward.agent.store.InstanceRecord;
import dev.steward.agent.store.ServiceRecord;
import dev.steward.model.InstanceState;
import dev.steward.model.Spec;
import java.util.List;

/** What a service's runner is asked to do; each is handled on the runner, one at a time. */
sealed interface Command {
    /** Enable (again, after a failure limit), optionally with a count that rules until the spec changes it. */
    record Start(Integer count) implements Command {}

    record Stop() implements Command {}

    /** Stop the instances for an agent shutdown, without recording the service as stopped. */
    record Halt() implements Command {}

    /** Stop everything and forget the service. */
    record Remove() implements Command {}

    record Use() implements Command {}

    record Release() implements Command {}

    record ScaleTo(int count) implements Command {}

    record Wake() implements Command {}

    record Update(Spec spec, ServiceRecord record) implements Command {}

    /** The agent is closing: stop pinging and end the runner; instances keep running for the next agent. */
    record Detach() implements Command {}

    /** Take the places of the instances a previous agent left, routed at once (or, for a ping-only service, start pinging). */
    record Activate(List<InstanceRecord> stored) implements Command {}

    /** Confirm the restored instances with their isolate (after the agent began to serve). */
    record Adopt() implements Command {}

    /** A linger may have run out. */
    record LingerCheck() implements Command {}

    /** A needed service changed state. */
    record NeedsChanged() implements Command {}

    /** The scheduler changed where the service runs (in a cluster): the count assigned here is read again. */
    record Reassigned() implements Command {}

    /** The instances in state {@code from} to pause or resume; answered with the handles to act on. */
    record Targets(InstanceState from, String verb) implements Command {}

    /** Something done outside about one instance. */
    record Report(InstanceEvent event) implements Command {}

    /** Several reports at once (a pause of every instance), answered once all are applied. */
    record Reports(List<InstanceEvent> events) implements Command {}
}
