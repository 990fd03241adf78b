package dev.steward.agent.api;

import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.ServerBuilder;
import dev.steward.agent.Json;
import dev.steward.agent.events.EventBus;
import dev.steward.model.Event;

/**
 * {@code /v1/events}: every state change as Server-Sent Events, optionally for one service; each
 * with an {@code id:}, and a client that reconnects with {@code Last-Event-ID} (or {@code ?after=ID})
 * gets the events after it first. {@code ?follow=false} sends the kept events and ends.
 */
final class EventRoutes {
    private final EventBus bus;

    EventRoutes(EventBus bus) {
        this.bus = bus;
    }

    void bind(ServerBuilder sb) {
        sb.route().get("/v1/events").build(Blocking.of((ctx, req) -> {
            String service = ctx.queryParam("service");
            String instance = ctx.queryParam("instance");
            // a client that reconnects says the last event it saw: it gets those after it first
            String lastSeen = req.headers().get("last-event-id");
            if (lastSeen == null) lastSeen = ctx.queryParam("after");
            long after = -1;
            if (lastSeen != null && !lastSeen.isBlank()) {
                try {
                    after = Long.parseLong(lastSeen.strip());
                } catch (NumberFormatException e) {
                    throw new ApiException(400, "Last-Event-ID: '" + lastSeen + "' is not an event id (a number)");
                }
                if (after < 0) throw new ApiException(400, "Last-Event-ID: " + after + " (expected: 0 or more)");
            }
            // follow=false: the kept events (after the one given, else all) and then the end, as a list would be
            boolean follow = !"false".equals(ctx.queryParam("follow"));
            if (!follow && after < 0) after = 0;
            EventBus.Subscription sub = bus.subscribe(after);
            return Streams.open(ctx, MediaType.EVENT_STREAM, out -> {
                try (sub) {
                    out.write(HttpData.ofUtf8(": steward events\n\n"));
                    if (sub.missed()) out.write(HttpData.ofUtf8("event: missed\ndata: {}\n\n")); // some were no longer kept
                    while (out.isOpen()) {
                        EventBus.Numbered n = sub.next(follow ? 10_000 : 0);
                        if (n == null && !follow) return;
                        if (sub.overflowed()) {
                            out.tryWrite(HttpData.ofUtf8("event: overflow\ndata: {}\n\n"));
                            return;
                        }
                        if (n == null) {
                            if (!out.tryWrite(HttpData.ofUtf8(": keep-alive\n\n"))) return;
                            continue;
                        }
                        Event e = n.event();
                        if (service != null && !service.equals(e.service())) continue;
                        if (instance != null && !instance.equals(instanceOf(e))) continue;
                        var node = ApiJson.tree(e);
                        ((com.fasterxml.jackson.databind.node.ObjectNode) node).put("type", e.type()).put("id", n.id());
                        if (!out.tryWrite(HttpData.ofUtf8("id: " + n.id() + "\nevent: " + e.type() + "\ndata: " + ApiJson.write(node) + "\n\n"))) return;
                    }
                }
            });
        }));
    }

    /** The instance an event is about, or null. */
    private static String instanceOf(Event e) {
        return switch (e) {
            case Event.InstanceChanged i -> i.instance();
            case Event.StepDone s -> s.instance();
            case Event.DynamicChanged d -> d.instance();
            case Event.ServiceChanged s -> null;
            case Event.SpecChanged s -> null;
            case Event.JobEnded j -> null;
        };
    }
}
