package dev.steward.agent.api;

import com.linecorp.armeria.common.AggregatedHttpRequest;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Adapts plain blocking handlers to Armeria: each request runs on its own virtual thread, once its
 * body is read or, for a streaming handler, as it arrives.
 */
final class Blocking {
    private static final ExecutorService VIRTUAL = Executors.newVirtualThreadPerTaskExecutor();

    @FunctionalInterface
    interface Handler {
        HttpResponse handle(ServiceRequestContext ctx, AggregatedHttpRequest req) throws Exception;
    }

    private Blocking() {}

    /** A handler of a request whose body it reads as it comes. */
    @FunctionalInterface
    interface Streaming {
        HttpResponse handle(ServiceRequestContext ctx, HttpRequest req) throws Exception;
    }

    static HttpService of(Handler h) {
        return (ctx, req) -> HttpResponse.of(req.aggregate().thenCompose(agg -> run(() -> h.handle(ctx, agg))).exceptionally(Errors::of));
    }

    /** Runs {@code h} at once, on its own virtual thread, with the body not yet read. */
    static HttpService streaming(Streaming h) {
        return (ctx, req) -> HttpResponse.of(run(() -> h.handle(ctx, req)).exceptionally(Errors::of));
    }

    private static CompletableFuture<HttpResponse> run(java.util.concurrent.Callable<HttpResponse> task) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return task.call();
            } catch (Exception e) {
                return Errors.of(e);
            }
        }, VIRTUAL);
    }
}
