package dev.steward.agent.rpc;

import dev.steward.protocol.Frame;
import java.util.Map;

/** A service spoken to over the protocol: its methods by id, each call answered on its session. */
public interface RpcService {
    String name();

    /** Method ids and names, as the locator publishes them. */
    Map<Integer, String> methods();

    /**
     * Handles one call; runs on its own virtual thread, so it may block. It must end the session
     * (a value, an error, or choke) unless it streams on (synchronize), and may stream chunks first.
     */
    void call(Frame request, Session session) throws Exception;

    /**
     * Whether {@code method} never blocks and so runs on the connection's event loop instead of a
     * virtual thread of its own (an app's {@code enqueue}, which only hands the event to its engine).
     */
    default boolean inline(long method) {
        return false;
    }
}
