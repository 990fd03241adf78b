package dev.steward.agent.mesh;

import java.util.function.BooleanSupplier;

/** A background thread's loop: wait, then run a step, until closed; a failing step is reported and the loop goes on. */
final class StepLoop {
    /** What the loop waits for before each step; false ends it. */
    interface Wait {
        boolean await() throws InterruptedException;
    }

    private StepLoop() {}

    /** Wakes once for any number of releases of {@code wake} since the last step. */
    static Wait burst(java.util.concurrent.Semaphore wake) {
        return () -> {
            wake.acquire();
            wake.drainPermits();
            return true;
        };
    }

    static void run(BooleanSupplier closed, Wait wait, Runnable step) {
        try {
            while (!closed.getAsBoolean() && wait.await()) {
                try {
                    step.run();
                } catch (RuntimeException e) {
                    System.err.println("steward: " + Thread.currentThread().getName() + ": " + e.getMessage());
                }
            }
        } catch (InterruptedException e) {
            // closing
        }
    }
}
