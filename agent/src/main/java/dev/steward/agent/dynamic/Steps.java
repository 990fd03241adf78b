package dev.steward.agent.dynamic;

import dev.steward.agent.events.EventBus;
import dev.steward.model.Event;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/** Runs an instance's named steps one after the other, each an event with its duration; a failure names its step. */
final class Steps {
    /** What one step does. */
    interface Body {
        void run() throws Exception;
    }

    /** A step that failed: which, and why. */
    static final class Failed extends Exception {
        final String step;

        Failed(String step, String why) {
            super(step + ": " + why);
            this.step = step;
        }
    }

    private final EventBus bus;
    private final Clock clock;
    private final String service;
    private final String uuid;

    Steps(EventBus bus, Clock clock, String service, String uuid) {
        this.bus = bus;
        this.clock = clock;
        this.service = service;
        this.uuid = uuid;
    }

    void run(String step, Body body) throws Failed {
        Instant t0 = clock.instant();
        try {
            body.run();
        } catch (Exception e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
            bus.publish(new Event.StepDone(clock.instant(), service, uuid, step, millis(t0), false, why));
            throw new Failed(step, why);
        }
        bus.publish(new Event.StepDone(clock.instant(), service, uuid, step, millis(t0), true, ""));
    }

    /** Reports a step that ran elsewhere, from {@code began} until now; {@code failure} null when it passed. */
    void ended(String step, Instant began, String failure) {
        bus.publish(new Event.StepDone(clock.instant(), service, uuid, step, millis(began), failure == null, failure == null ? "" : failure));
    }

    /** Reports a step that failed without being run as one (a probe's failure). */
    void failed(String step, String why) {
        bus.publish(new Event.StepDone(clock.instant(), service, uuid, step, 0, false, why));
    }

    /** Runs a step of a close: a failure is published and reported, and the close goes on. */
    String attempt(String step, Body body) {
        try {
            run(step, body);
            return null;
        } catch (Failed f) {
            return f.getMessage();
        }
    }

    private long millis(Instant t0) {
        return Duration.between(t0, clock.instant()).toMillis();
    }
}
