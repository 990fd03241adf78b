package dev.steward.agent.net;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/** Hands work to an event loop from another thread. */
public final class Loops {
    private Loops() {}

    /**
     * Runs {@code r} on {@code loop}; once the loop has stopped (the agent is stopping, and the connections that
     * the work was for went with it) the work is dropped, not thrown at the thread that handed it over.
     */
    public static void post(Executor loop, Runnable r) {
        try {
            loop.execute(r);
        } catch (RejectedExecutionException stopped) {
            // the loop is shut down: nothing is left there to run it for
        }
    }
}
