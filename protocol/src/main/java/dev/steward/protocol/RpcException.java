package dev.steward.protocol;

/** A call answered with an error (code 0: the connection ended or no answer came in time). */
public final class RpcException extends Exception {
    private final int code;

    public RpcException(int code, String message) {
        super(message);
        this.code = code;
    }

    public int code() {
        return code;
    }
}
