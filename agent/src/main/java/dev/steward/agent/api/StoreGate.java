package dev.steward.agent.api;

import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.server.DecoratingHttpServiceFunction;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import dev.steward.agent.store.Store;
import java.util.List;
import java.util.Optional;

/**
 * Refuses a change at once, with 503 {@code cluster store unavailable}, while the store says it cannot
 * take writes (a cluster's etcd away): nothing is done here that the cluster would not know of. Reads
 * are served from what the agent knows, and invocations (which change nothing) pass.
 */
final class StoreGate implements DecoratingHttpServiceFunction {
    static final String MESSAGE = "cluster store unavailable";
    private final Store store;

    StoreGate(Store store) {
        this.store = store;
    }

    @Override
    public HttpResponse serve(HttpService delegate, ServiceRequestContext ctx, HttpRequest req) throws Exception {
        HttpMethod m = req.method();
        boolean change = m != HttpMethod.GET && m != HttpMethod.HEAD && m != HttpMethod.OPTIONS && !ctx.path().endsWith("/invoke");
        Optional<String> why = change ? store.unavailable() : Optional.empty();
        return why.isPresent() ? refuse(why.get()) : delegate.serve(ctx, req);
    }

    /** 503 with the reason, and a hint to come back in a few seconds. */
    static HttpResponse refuse(String why) {
        return Errors.json(503, MESSAGE, List.of(why, "reads are served from this agent's cache; writes wait until etcd answers again"))
                .mapHeaders(h -> h.toBuilder().set("retry-after", "5").build());
    }
}
