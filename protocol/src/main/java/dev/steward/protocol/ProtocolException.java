package dev.steward.protocol;

/** Bytes that are not a frame: the connection they came on is closed with this reason. */
public final class ProtocolException extends Exception {
    public ProtocolException(String message) {
        super(message);
    }

    public ProtocolException(String message, Throwable cause) {
        super(message, cause);
    }
}
