package dev.steward.agent.engine;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** An app's waiting events: order, pinning, depth, and the events of clients that have gone. */
class EventQueueTest {
    /** A reply nobody reads; {@code gone} says whether its client has left. */
    static final class Client implements Sink {
        boolean gone;

        @Override
        public void chunk(byte[] data) {}

        @Override
        public void error(int code, String message) {}

        @Override
        public void end() {}

        @Override
        public boolean abandoned() {
            return gone;
        }
    }

    static Invocation event(String name, String tag) {
        return new Invocation(name, new byte[0], tag, 0, new Client());
    }

    static EventQueue queueOf(Invocation... events) {
        EventQueue q = new EventQueue();
        for (Invocation inv : events) q.add(inv);
        return q;
    }

    static void leave(Invocation inv) {
        ((Client) inv.sink).gone = true;
    }

    @Test
    void eventsAreTakenInOrderEachFromItsOwnQueue() {
        Invocation a = event("a", ""), b = event("b", "w1"), c = event("c", ""), d = event("d", "w1"), e = event("e", "w2");
        EventQueue q = queueOf(a, b, c, d, e);
        assertThat(q.depth()).isEqualTo(5);
        assertThat(q.untagged()).isEqualTo(2);
        assertThat(q.tags()).containsExactlyInAnyOrder("w1", "w2");
        assertThat(q.take()).isSameAs(a);
        assertThat(q.take("w1")).isSameAs(b);
        assertThat(q.take("w1")).isSameAs(d);
        assertThat(q.take("w1")).isNull();
        assertThat(q.tags()).as("a worker with nothing pinned is no longer named").containsExactly("w2");
        assertThat(q.take("nobody")).isNull();
        assertThat(q.depth()).isEqualTo(2);
        assertThat(q.clear()).containsExactly(c, e);
        assertThat(q.depth()).isZero();
        assertThat(q.take()).isNull();
    }

    @Test
    void theEventsOfClientsThatHaveGoneAreSkippedAndCounted() {
        Invocation a = event("a", ""), b = event("b", ""), c = event("c", "w1");
        EventQueue q = queueOf(a, b, c);
        leave(a);
        assertThat(q.take()).isSameAs(b);
        assertThat(q.abandoned()).isEqualTo(1);
        assertThat(q.depth()).isEqualTo(1);
        leave(c);
        q.sweep(1_000_000_000L);
        assertThat(q.depth()).isZero();
        assertThat(q.abandoned()).isEqualTo(2);
        assertThat(q.tags()).isEmpty();
        assertThat(q.dropAbandoned()).as("nothing left to drop").isZero();
    }

    @Test
    void anEventRemovedWhileItWaitsLeavesTheDepth() {
        Invocation a = event("a", ""), b = event("b", "w1");
        EventQueue q = queueOf(a, b);
        q.remove(b);
        q.remove(b);
        assertThat(q.depth()).isEqualTo(1);
        assertThat(q.tags()).isEmpty();
        q.remove(a);
        assertThat(q.depth()).isZero();
        assertThat(q.untagged()).isZero();
    }

    @Test
    void theSweepRunsAtMostEveryHalfSecond() {
        Invocation a = event("a", ""), b = event("b", "");
        EventQueue q = queueOf(a, b);
        leave(a);
        q.sweep(600_000_000L);
        assertThat(q.depth()).isEqualTo(1);
        leave(b);
        q.sweep(900_000_000L);
        assertThat(q.depth()).as("within half a second of the last sweep").isEqualTo(1);
        q.sweep(1_200_000_000L);
        assertThat(q.depth()).isZero();
    }

    @Test
    void anEventPutBackIsTakenFirstAndCountedAgain() {
        Invocation a = event("a", "");
        Invocation b = event("b", "");
        Invocation pinned = event("p", "w1");
        EventQueue q = queueOf(a, b, pinned);
        assertThat(q.take()).isSameAs(a);
        assertThat(q.depth()).isEqualTo(2);
        q.putBack(a);
        assertThat(q.depth()).isEqualTo(3);
        assertThat(q.untagged()).isEqualTo(2);
        assertThat(q.take()).isSameAs(a);
        assertThat(q.take()).isSameAs(b);
        assertThat(q.take("w1")).isSameAs(pinned);
        q.putBack(pinned);
        assertThat(q.tags()).containsExactly("w1");
        assertThat(q.take("w1")).isSameAs(pinned);
        assertThat(q.depth()).isZero();
    }
}
