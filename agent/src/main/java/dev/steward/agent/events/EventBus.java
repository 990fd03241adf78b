package dev.steward.agent.events;

import dev.steward.model.Event;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Publishes events to listeners (called on the publisher's thread; they must be quick) and to
 * subscriptions (each a bounded queue; a subscriber that falls too far behind is cut off rather
 * than slowing the agent).
 */
public final class EventBus {
    private static final int QUEUE = 4096;
    private final List<Consumer<Event>> listeners = new CopyOnWriteArrayList<>();
    private final List<Subscription> subscriptions = new CopyOnWriteArrayList<>();

    public void publish(Event e) {
        for (Consumer<Event> l : listeners) l.accept(e);
        for (Subscription s : subscriptions) {
            if (!s.queue.offer(e)) {
                s.overflowed = true;
                subscriptions.remove(s);
            }
        }
    }

    public void listen(Consumer<Event> listener) {
        listeners.add(listener);
    }

    public Subscription subscribe() {
        Subscription s = new Subscription(this);
        subscriptions.add(s);
        return s;
    }

    /** A queue of the events published after it was opened. */
    public static final class Subscription implements AutoCloseable {
        private final BlockingQueue<Event> queue = new ArrayBlockingQueue<>(QUEUE);
        private final EventBus bus;
        private volatile boolean overflowed;

        private Subscription(EventBus bus) {
            this.bus = bus;
        }

        /** The next event, waiting at most {@code millis}; null when none came. */
        public Event next(long millis) throws InterruptedException {
            return queue.poll(millis, java.util.concurrent.TimeUnit.MILLISECONDS);
        }

        public boolean overflowed() {
            return overflowed;
        }

        @Override
        public void close() {
            bus.subscriptions.remove(this);
        }
    }
}
