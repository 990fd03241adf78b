package dev.steward.agent.functions;

import dev.steward.model.FunctionManifest;

/**
 * One version of a function as stored: its number, where its code was unpacked (the spooler's
 * directory for its content hash), its {@code function.yaml} as given, and when it was added.
 */
public record FunctionVersion(int version, String dir, String sha256, String manifest, String added) {
    public FunctionManifest parsed() {
        return FunctionManifest.parse(manifest);
    }
}
