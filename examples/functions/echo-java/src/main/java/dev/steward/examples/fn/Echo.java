package dev.steward.examples.fn;

import dev.steward.worker.fn.Function;
import dev.steward.worker.fn.Steward;

/** Echo on the java runtime: the reply is the data. */
public final class Echo implements Function {
    @Override
    public byte[] handle(byte[] data, Steward steward) {
        return data;
    }
}
