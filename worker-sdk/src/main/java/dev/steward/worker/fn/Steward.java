package dev.steward.worker.fn;

/** What a function may ask of Steward while it runs. */
public interface Steward {
    /**
     * Invokes {@code function} (declared in {@code calls:} as {@code same-worker}: it runs in this
     * process) and returns its reply; its failure is a {@link CallException} naming it.
     */
    byte[] invoke(String function, byte[] data) throws CallException;
}
