package dev.steward.agent.errors;

/** The caller is known but may not do this (another owner's service, a read-only token, an admin-only route). */
public final class ForbiddenException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ForbiddenException(String message) {
        super(message);
    }
}
