package dev.steward.agent.gateway;

import dev.steward.agent.Json;
import dev.steward.model.Durations;
import dev.steward.model.ServiceState;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * One of the gateway's own answers: a status and a JSON reason, as the agent's API gives its errors.
 *
 * @param retryAfter the Retry-After value, or null
 * @param close      whether the client connection closes after it (it also does when the request body was not read)
 */
record Reply(int status, String reason, String retryAfter, boolean close) {
    static Reply noService(Router.Match match, String uri) {
        return new Reply(404, match == null ? "no service answers " + abbreviate(uri) : "no service '" + match.service() + "'", null, false);
    }

    static Reply bodyOver(long length, long max) {
        return new Reply(413, "the request body of " + length + " bytes is over the route's limit of " + max + " bytes", null, true);
    }

    static Reply bodyOver(long max) {
        return new Reply(413, "the request body is over the route's limit of " + max + " bytes", null, true);
    }

    static Reply eventOver() {
        return new Reply(413, "an event's data is at most " + AppCall.MAX_DATA + " bytes", null, true);
    }

    static Reply noInstance(String service, ServiceState state) {
        return new Reply(503, "service " + service + " has no instance ready (" + state.wire() + ")", "1", false);
    }

    static Reply holdFull(String service, int maxHeld) {
        return new Reply(503, "service " + service + " is starting and " + maxHeld + " requests already wait for it", "1", false);
    }

    static Reply notReady(String service, Duration hold) {
        return new Reply(503, "service " + service + " did not become ready within " + Durations.format(hold), "5", false);
    }

    static Reply timedOut(String instance, String service, Duration timeout) {
        return new Reply(504, "instance " + instance + " of " + service + " did not answer within " + Durations.format(timeout), null, false);
    }

    static Reply unreachable(String instance, String service, Throwable cause, boolean close) {
        return new Reply(502, "instance " + instance + " of " + service + " did not answer: "
                + (cause == null ? "connection closed" : cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : " (" + cause.getMessage() + ")")),
                null, close);
    }

    /** The answer as the client gets it, as bytes; {@code close} says so in its headers. */
    ByteBuf response(ByteBufAllocator alloc, boolean close) {
        byte[] body = body();
        StringBuilder h = new StringBuilder(160).append("HTTP/1.1 ").append(status).append(' ')
                .append(HttpResponseStatus.valueOf(status).reasonPhrase())
                .append("\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ").append(body.length).append("\r\n");
        if (retryAfter != null) h.append("retry-after: ").append(retryAfter).append("\r\n");
        if (close) h.append("connection: close\r\n");
        h.append("\r\n");
        ByteBuf b = alloc.buffer(h.length() + body.length);
        ByteBufUtil.writeAscii(b, h);
        b.writeBytes(body);
        return b;
    }

    private byte[] body() {
        return Json.write(Map.of("error", reason, "details", List.of())).getBytes(StandardCharsets.UTF_8);
    }

    /** The answer's body length, for the report. */
    long bodyLength() {
        return body().length;
    }

    static String abbreviate(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }
}
