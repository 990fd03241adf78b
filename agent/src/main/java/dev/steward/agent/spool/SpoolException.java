package dev.steward.agent.spool;

/** An archive was refused: it names the entry and the reason; nothing of it was left behind. */
public final class SpoolException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public SpoolException(String message) {
        super(message);
    }

    public SpoolException(String message, Throwable cause) {
        super(message, cause);
    }
}
