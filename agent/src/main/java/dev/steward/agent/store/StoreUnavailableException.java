package dev.steward.agent.store;

/** The cluster's store cannot be reached (etcd down, or cut off): a write waits for it to return; a 503, never the caller's fault. */
public final class StoreUnavailableException extends StoreException {
    private static final long serialVersionUID = 1L;

    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
