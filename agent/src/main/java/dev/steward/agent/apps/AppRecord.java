package dev.steward.agent.apps;

import java.util.Map;

/**
 * An uploaded app as stored: where it was unpacked (the spooler's directory for its content
 * hash), its worker and environment from the manifest.
 */
public record AppRecord(String name, String dir, String slave, Map<String, String> environment, String uploaded, String owner) {}
