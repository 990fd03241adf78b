package dev.steward.agent.store;

/** The store failed: the agent's own fault (a 5xx), never the caller's. */
public sealed class StoreException extends RuntimeException permits StoreUnavailableException {
    private static final long serialVersionUID = 1L;

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
