package dev.steward.agent.api;

import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpResponseWriter;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.ResponseHeaders;
import dev.steward.agent.engine.Sink;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Chunks as the response body; an error before the first one is a JSON answer, after it the stream is cut. */
final class HttpSink implements Sink {
    /** Written bytes after which the sink asks whether the client has taken them. */
    private static final int CHECK_EVERY = 256 << 10;
    private final HttpResponseWriter out;
    private boolean started;
    private long unchecked;
    private java.util.concurrent.CompletableFuture<?> consumed = java.util.concurrent.CompletableFuture.completedFuture(null);

    HttpSink(HttpResponseWriter out) {
        this.out = out;
    }

    private void start() {
        if (started) return;
        started = true;
        out.write(ResponseHeaders.of(HttpStatus.OK, com.linecorp.armeria.common.HttpHeaderNames.CONTENT_TYPE, MediaType.OCTET_STREAM));
    }

    @Override
    public void chunk(byte[] data) {
        start();
        out.tryWrite(HttpData.wrap(data));
        unchecked += data.length;
        if (unchecked >= CHECK_EVERY) {
            unchecked = 0;
            consumed = java.util.concurrent.CompletableFuture.anyOf(out.whenConsumed(), out.whenComplete());
        }
    }

    @Override
    public void cut() {
        out.abort(new IllegalStateException("the client took none of the reply for too long"));
    }

    @Override
    public boolean congested() {
        return !consumed.isDone();
    }

    @Override
    public void whenDrained(Runnable r) {
        consumed.whenComplete((x, e) -> r.run());
    }

    @Override
    public void error(int code, String message) {
        if (started) {
            out.abort(new IllegalStateException("the reply failed: " + message));
            return;
        }
        started = true;
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", message);
        body.put("details", List.of());
        body.put("code", code);
        HttpStatus s = HttpStatus.valueOf(Sink.httpStatus(code));
        out.write(ResponseHeaders.of(s, com.linecorp.armeria.common.HttpHeaderNames.CONTENT_TYPE, MediaType.JSON_UTF_8));
        out.write(HttpData.ofUtf8(ApiJson.write(body) + "\n"));
        out.close();
    }

    @Override
    public void end() {
        start();
        out.close();
    }

    @Override
    public boolean abandoned() {
        return !out.isOpen();
    }
}
