package dev.steward.agent.api;

import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.ServerBuilder;
import dev.steward.agent.Json;
import dev.steward.agent.events.EventBus;
import dev.steward.model.Event;

/** {@code /v1/events}: every state change as Server-Sent Events, optionally for one service. */
final class EventRoutes {
    private final EventBus bus;

    EventRoutes(EventBus bus) {
        this.bus = bus;
    }

    void bind(ServerBuilder sb) {
        sb.route().get("/v1/events").build(Blocking.of((ctx, req) -> {
            String service = ctx.queryParam("service");
            EventBus.Subscription sub = bus.subscribe();
            return Streams.open(ctx, MediaType.EVENT_STREAM, out -> {
                try (sub) {
                    out.write(HttpData.ofUtf8(": steward events\n\n"));
                    while (out.isOpen()) {
                        Event e = sub.next(10_000);
                        if (sub.overflowed()) {
                            out.tryWrite(HttpData.ofUtf8("event: overflow\ndata: {}\n\n"));
                            return;
                        }
                        if (e == null) {
                            if (!out.tryWrite(HttpData.ofUtf8(": keep-alive\n\n"))) return;
                            continue;
                        }
                        if (service != null && !service.equals(e.service())) continue;
                        var node = Json.MAPPER.valueToTree(e);
                        ((com.fasterxml.jackson.databind.node.ObjectNode) node).put("type", e.type());
                        if (!out.tryWrite(HttpData.ofUtf8("event: " + e.type() + "\ndata: " + Json.write(node) + "\n\n"))) return;
                    }
                }
            });
        }));
    }
}
