package dev.steward.agent.gateway;

import dev.steward.model.Durations;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * {@code /<app>/<event>}, where no service has the path: the first segment may name a running app, the
 * rest is the event (percent-decoded, a '+' kept as a plus), and {@code X-Steward-Tag} and
 * {@code X-Steward-Timeout} go with it.
 */
final class AppDoor {
    private AppDoor() {}

    /** What a request for an app opens: an event, or the gateway's refusal. */
    sealed interface Opening {}

    /** @param timeout zero when the request gives none */
    record Event(String name, String tag, Duration timeout) implements Opening {}

    record Refused(Reply reply) implements Opening {}

    /** The target's path, without its query. */
    static String path(String uri) {
        int q = uri.indexOf('?');
        return q < 0 ? uri : uri.substring(0, q);
    }

    /** The app a path would name: its first segment. */
    static String app(String path) {
        int slash = path.indexOf('/', 1);
        return slash < 0 ? path.substring(1) : path.substring(1, slash);
    }

    /** The event that a request for {@code app} at {@code path} carries, or why it is refused. */
    static Opening open(RequestHead req, String path, String app) {
        int slash = path.indexOf('/', 1);
        String event;
        try {
            event = slash < 0 ? "" : URLDecoder.decode(path.substring(slash + 1).replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return refused(400, "the event name in " + Reply.abbreviate(path) + " is not a well-formed path: " + e.getMessage());
        }
        if (event.isEmpty() || event.contains("/")) return refused(404, "app " + app + " takes events as /" + app + "/EVENT");
        if (req.contentLength > AppCall.MAX_DATA) return new Refused(Reply.eventOver());
        String t = req.value("x-steward-timeout");
        Duration timeout;
        try {
            timeout = t == null ? Duration.ZERO : Durations.parse(t);
        } catch (IllegalArgumentException e) {
            return refused(400, "X-Steward-Timeout: '" + Reply.abbreviate(t) + "' is not a duration (like 500ms or 5s)");
        }
        String tag = req.value("x-steward-tag");
        return new Event(event, tag == null ? "" : tag, timeout);
    }

    private static Refused refused(int status, String reason) {
        return new Refused(new Reply(status, reason, null, false));
    }
}
