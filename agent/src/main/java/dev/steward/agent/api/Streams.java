package dev.steward.agent.api;

import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpResponseWriter;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.server.ServiceRequestContext;

/** Long-lived streamed responses written from a virtual thread until the client goes away. */
final class Streams {
    @FunctionalInterface
    interface Producer {
        /** Writes to {@code out} until done or the client has gone ({@code out.isOpen()} turns false). */
        void run(HttpResponseWriter out) throws Exception;
    }

    private Streams() {}

    static HttpResponse open(ServiceRequestContext ctx, MediaType type, Producer producer) {
        ctx.clearRequestTimeout();
        HttpResponseWriter out = HttpResponse.streaming();
        out.write(ResponseHeaders.of(HttpStatus.OK, com.linecorp.armeria.common.HttpHeaderNames.CONTENT_TYPE, type));
        Thread.ofVirtual().name("stream-" + ctx.path()).start(() -> {
            try {
                producer.run(out);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                out.tryWrite(HttpData.ofUtf8("\nsteward: stream ended: " + e.getMessage() + "\n"));
            } finally {
                out.close();
            }
        });
        return out;
    }
}
