package dev.steward.agent.apps;

/** A profile as stored: its text as uploaded (shown back as given), when, and by whom (its owner; empty for one stored before owners). */
public record ProfileRecord(String name, String source, String uploaded, String owner) {
    public ProfileRecord {
        owner = owner == null ? "" : owner;
    }
}
