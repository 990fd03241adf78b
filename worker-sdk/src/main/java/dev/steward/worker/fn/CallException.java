package dev.steward.worker.fn;

/** A call to another function failed: the message names the function. */
public final class CallException extends Exception {
    private static final long serialVersionUID = 1L;

    public CallException(String message, Throwable cause) {
        super(message, cause);
    }
}
