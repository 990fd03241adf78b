package dev.steward.worker.fn;

/**
 * A function for Steward's java runtime: {@code handler: com.example.Echo} in {@code function.yaml}
 * names a public class with a public no-argument constructor that implements this. One instance
 * serves every invocation of its version, from several threads at once.
 */
@FunctionalInterface
public interface Function {
    /** The reply to {@code data}; {@code steward} invokes the functions this one declares in {@code calls:}. */
    byte[] handle(byte[] data, Steward steward) throws Exception;
}
