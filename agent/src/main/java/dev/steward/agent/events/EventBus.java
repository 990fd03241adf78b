package dev.steward.agent.events;

import dev.steward.model.Event;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Publishes events to listeners (called on the publisher's thread; they must be quick) and to
 * subscriptions (each a bounded queue; a subscriber that falls too far behind is cut off rather
 * than slowing the agent). Each event gets the next number; the last {@value #KEPT} are kept so that
 * a subscriber that lost its connection resumes after the last one it saw (SSE's
 * {@code Last-Event-ID}).
 */
public final class EventBus {
    private static final int QUEUE = 4096;
    static final int KEPT = 10_000;
    private final List<Consumer<Event>> listeners = new CopyOnWriteArrayList<>();
    private final List<Subscription> subscriptions = new CopyOnWriteArrayList<>();
    /** Guards the numbering, the kept events and the hand-over to subscriptions, so none is missed or doubled. */
    private final ReentrantLock lock = new ReentrantLock();
    private final ArrayDeque<Numbered> kept = new ArrayDeque<>();
    private long last;

    /** An event and its number in this agent's run (from 1). */
    public record Numbered(long id, Event event) {}

    public void publish(Event e) {
        for (Consumer<Event> l : listeners) l.accept(e);
        lock.lock();
        try {
            Numbered n = new Numbered(++last, e);
            if (kept.size() == KEPT) kept.removeFirst();
            kept.addLast(n);
            for (Subscription s : subscriptions) {
                if (!s.queue.offer(n)) {
                    s.overflowed = true;
                    subscriptions.remove(s);
                }
            }
        } finally {
            lock.unlock();
        }
    }

    public void listen(Consumer<Event> listener) {
        listeners.add(listener);
    }

    /** The events published from now on. */
    public Subscription subscribe() {
        return subscribe(-1);
    }

    /**
     * The kept events numbered after {@code after} (none when negative), then those published from
     * now on. When events after {@code after} are no longer kept, {@link Subscription#missed()} says so.
     */
    public Subscription subscribe(long after) {
        lock.lock();
        try {
            List<Numbered> replay = after < 0 ? List.of() : kept.stream().filter(n -> n.id() > after).toList();
            boolean missed = after >= 0 && after < last && (kept.isEmpty() || kept.peekFirst().id() > after + 1);
            Subscription s = new Subscription(this, Math.max(QUEUE, replay.size() + QUEUE), missed);
            s.queue.addAll(replay);
            subscriptions.add(s);
            return s;
        } finally {
            lock.unlock();
        }
    }

    /** A queue of events: those asked to be replayed, then those published after it was opened. */
    public static final class Subscription implements AutoCloseable {
        private final BlockingQueue<Numbered> queue;
        private final EventBus bus;
        private final boolean missed;
        private volatile boolean overflowed;

        private Subscription(EventBus bus, int capacity, boolean missed) {
            this.bus = bus;
            this.queue = new ArrayBlockingQueue<>(capacity);
            this.missed = missed;
        }

        /** The next event, waiting at most {@code millis}; null when none came. */
        public Numbered next(long millis) throws InterruptedException {
            return queue.poll(millis, java.util.concurrent.TimeUnit.MILLISECONDS);
        }

        public boolean overflowed() {
            return overflowed;
        }

        /** Whether events after the one asked for were no longer kept (the replay starts later). */
        public boolean missed() {
            return missed;
        }

        @Override
        public void close() {
            bus.subscriptions.remove(this);
        }
    }
}
