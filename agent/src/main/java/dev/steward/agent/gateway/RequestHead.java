package dev.steward.agent.gateway;

/**
 * A client's request head as it came (see {@link Head}): its method, target and Host; or, when the
 * head could not be read, the gateway's answer to it ({@link #refusal}).
 */
final class RequestHead extends Head {
    final String method;
    /** The request target as sent. */
    final String target;
    /** The Host header, or null. */
    final String host;
    /** Why the request is answered by the gateway before anything else (the head was malformed or too large), or null. */
    final Reply refusal;

    RequestHead(MessageReader.Parsed p, String method, String target, String host) {
        super(p);
        this.method = method;
        this.target = target;
        this.host = host;
        this.refusal = null;
    }

    /** A head that could not be read: answered with {@code refusal} (logged as Netty logged such heads, GET /bad-request HTTP/1.0). */
    private RequestHead(Reply refusal) {
        super(MessageReader.Parsed.EMPTY);
        this.method = "GET";
        this.target = "/bad-request";
        this.host = null;
        this.refusal = refusal;
    }

    static RequestHead refused(Reply refusal) {
        return new RequestHead(refusal);
    }

    String protocol() {
        return http10 ? "HTTP/1.0" : "HTTP/1.1";
    }

    boolean isHead() {
        return method.equals("HEAD");
    }
}
