package dev.steward.agent.errors;

/** The request does not fit the current state (already registered, still needed, ...). */
public final class ConflictException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ConflictException(String message) {
        super(message);
    }
}
