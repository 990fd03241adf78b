package dev.steward.agent.apps;

/** A profile as stored: its text as uploaded (shown back as given) and when. */
public record ProfileRecord(String name, String source, String uploaded) {}
