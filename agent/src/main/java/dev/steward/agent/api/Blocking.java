package dev.steward.agent.api;

import com.linecorp.armeria.common.AggregatedHttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** Adapts plain blocking handlers to Armeria: each request, once its body is read, runs on its own virtual thread. */
final class Blocking {
    private static final ExecutorService VIRTUAL = Executors.newVirtualThreadPerTaskExecutor();

    @FunctionalInterface
    interface Handler {
        HttpResponse handle(ServiceRequestContext ctx, AggregatedHttpRequest req) throws Exception;
    }

    private Blocking() {}

    static HttpService of(Handler h) {
        return (ctx, req) -> HttpResponse.of(req.aggregate().thenCompose(agg -> CompletableFuture.supplyAsync(() -> {
            try {
                return h.handle(ctx, agg);
            } catch (Exception e) {
                return Errors.of(e);
            }
        }, VIRTUAL)).exceptionally(Errors::of));
    }
}
