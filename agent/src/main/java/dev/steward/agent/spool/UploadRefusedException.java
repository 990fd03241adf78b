package dev.steward.agent.spool;

/** An upload not taken: too large for the limit, or the agent busy spooling others (try again later). */
public final class UploadRefusedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public enum Reason { TOO_LARGE, BUSY }

    private final Reason reason;

    UploadRefusedException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
