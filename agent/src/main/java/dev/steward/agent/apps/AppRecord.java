package dev.steward.agent.apps;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * An uploaded app as stored: where it was unpacked (the spooler's directory for its content
 * hash), its worker and environment from the manifest, whether its workers are given {@code
 * --locator HOST:PORT} (absent in what older agents stored: given), and what of its manifest was taken
 * and not used.
 */
public record AppRecord(String name, String dir, String slave, Map<String, String> environment, String uploaded, String owner,
                        @JsonProperty("locator-arg") @JsonInclude(JsonInclude.Include.NON_NULL) Boolean locatorArg,
                        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> warnings) {
    public AppRecord {
        warnings = warnings == null ? List.of() : List.copyOf(warnings);
    }

    /** A worker program of Steward's own (a function's runtime): not given {@code --locator}. */
    public AppRecord(String name, String dir, String slave, Map<String, String> environment, String uploaded, String owner) {
        this(name, dir, slave, environment, uploaded, owner, false, List.of());
    }

    /** Whether its workers get {@code --locator HOST:PORT}, as Cocaine 0.11 gave it. */
    public boolean passesLocator() {
        return locatorArg == null || locatorArg;
    }
}
