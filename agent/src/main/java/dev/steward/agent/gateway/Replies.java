package dev.steward.agent.gateway;

import dev.steward.agent.Json;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** The gateway's own answers: a status and a JSON reason, as the agent's API gives its errors. */
final class Replies {
    private Replies() {}

    static FullHttpResponse error(int status, String reason, String retryAfter, boolean close) {
        byte[] body = Json.write(Map.of("error", reason, "details", List.of())).getBytes(StandardCharsets.UTF_8);
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status), Unpooled.wrappedBuffer(body));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json; charset=utf-8")
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        if (retryAfter != null) r.headers().set(HttpHeaderNames.RETRY_AFTER, retryAfter);
        if (close) r.headers().set(HttpHeaderNames.CONNECTION, "close");
        return r;
    }
}
