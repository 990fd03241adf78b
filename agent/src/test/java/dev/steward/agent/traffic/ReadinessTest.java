package dev.steward.agent.traffic;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReadinessTest {
    final Readiness readiness = new Readiness();
    final Endpoint first = new Endpoint("i1", "127.0.0.1", 4001);
    final Endpoint second = new Endpoint("i2", "127.0.0.1", 4002);

    @Test
    void everyRequestHeldForTheServiceIsToldOfTheFirstPassOnceAndThenForgotten() {
        List<String> told = new ArrayList<>();
        readiness.await("web", e -> told.add("a:" + e.instance()));
        readiness.await("web", e -> told.add("b:" + e.instance()));
        readiness.passed("web", first);
        readiness.passed("web", second); // no one waits any more
        assertThat(told).containsExactlyInAnyOrder("a:i1", "b:i1");
        assertThat(readiness.waiting("web")).isZero();
    }

    @Test
    void aPassOfAnotherServiceOrOneThatLeftTellsNothing() {
        List<Endpoint> told = new ArrayList<>();
        Readiness.Waiter w = told::add;
        Readiness.Waiter left = told::add;
        readiness.await("web", w);
        readiness.await("web", left);
        readiness.leave("web", left);
        readiness.passed("api", first);
        assertThat(told).isEmpty();
        readiness.passed("web", first);
        assertThat(told).containsExactly(first);
        readiness.leave("nothing-held", w); // leaving a service nobody waited for is harmless
    }
}
