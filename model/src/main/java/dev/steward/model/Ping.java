package dev.steward.model;

import java.time.Duration;
import java.util.List;

/**
 * A health check and its timing. An instance passes after {@code successes} passes in a row and is
 * unhealthy after {@code failures} failures in a row; every check is cut off at {@code timeout}.
 */
public record Ping(Check check, Duration interval, Duration timeout, int successes, int failures) {
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(1);
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(1);

    public Ping {
        if (interval.toMillis() < 10) throw new IllegalArgumentException("interval must be at least 10ms");
        if (timeout.toMillis() < 1) throw new IllegalArgumentException("timeout must be at least 1ms");
        if (successes < 1 || failures < 1) throw new IllegalArgumentException("thresholds must be 1 or more");
    }

    /** The default readiness check of a service with a port: a TCP connect. */
    public static Ping tcpDefault() {
        return new Ping(new Check.Tcp(), DEFAULT_INTERVAL, DEFAULT_TIMEOUT, 1, 3);
    }

    /** What is checked. */
    public sealed interface Check {
        /** An HTTP GET of {@code path} on the instance's port; 2xx and 3xx pass. */
        record Http(String path) implements Check {}

        /** A TCP connect to the instance's port. */
        record Tcp() implements Check {}

        /** A command; exit status 0 passes. */
        record Exec(List<String> command) implements Check {
            public Exec {
                command = List.copyOf(command);
            }
        }
    }
}
