package dev.steward.agent.store;

/** The store failed: the agent's own fault (a 5xx), never the caller's. */
public final class StoreException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
