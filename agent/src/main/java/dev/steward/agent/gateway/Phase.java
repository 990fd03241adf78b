package dev.steward.agent.gateway;

import dev.steward.agent.traffic.Endpoint;

/**
 * Where an {@link Exchange} is, each state carrying exactly what is valid in it: Routing, then an
 * {@link AppCall} or a {@link ServiceCall}, then Done (any state may go to Done). A service call has
 * its own {@link Stage}s, and while forwarding its response has its {@link Response} progress.
 */
sealed interface Phase permits Phase.Routing, AppCall, ServiceCall, Phase.Done {
    Routing ROUTING = new Routing();
    Done DONE = new Done();

    /** Just arrived: the head is checked and the request routed. */
    record Routing() implements Phase {}

    /** Answered, or the client left: what the exchange held is given back and the request reported. */
    record Done() implements Phase {}

    /**
     * Where a {@link ServiceCall} is: Picking, then Connecting (or Held first, at scale from zero; Queued while
     * connections to the instance are being opened up to the route's bound), then
     * {@link Forwarding}; after a failed attempt, Connecting (or Held) once more; Over once the exchange is.
     */
    sealed interface Stage permits Picking, Held, Connecting, Queued, Forwarding, Over {}

    Picking PICKING = new Picking();
    Over OVER = new Over();

    /** Routed to the service, no instance chosen yet. */
    record Picking() implements Stage {}

    /**
     * Waiting, off the event loop, until the service has an instance ready: at scale from zero (attempt 1),
     * or after a connection to instance {@code avoid} could not be made (attempt 2, no retry after it; the
     * instance is not picked again while another is ready).
     *
     * @param avoid null at scale from zero
     */
    record Held(int attempt, String avoid) implements Stage {}

    /** A connection to {@code endpoint} is being made, the request counted in flight there; attempt 1, or 2 for the one retry. */
    record Connecting(Endpoint endpoint, int attempt) implements Stage {}

    /**
     * Counted in flight at {@code endpoint}, waiting in the gateway for a place to open a connection to it (no idle one
     * was there, and {@code route.max-connecting} are being opened): see {@link Opening}.
     */
    record Queued(Endpoint endpoint, int attempt) implements Stage {}

    /** The exchange is over: what still arrives (a waiter's reference, a connection) is given back. */
    record Over() implements Stage {}

    /** How far the instance's response came, while {@link Forwarding}. */
    sealed interface Response permits Awaiting, Informational, Streaming {}

    Awaiting AWAITING = new Awaiting();
    Informational INFORMATIONAL = new Informational();

    /** No head yet (awaited within the route's timeout once the request went whole). */
    record Awaiting() implements Response {}

    /** A 1xx head went to the client; its end is dropped and the real head follows. */
    record Informational() implements Response {}

    /**
     * The final head went to the client: from here the gateway can no longer answer itself.
     *
     * @param reusable whether the instance keeps the connection open after this response
     */
    record Streaming(int status, boolean reusable) implements Response {}
}
