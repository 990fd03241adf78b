package dev.steward.agent.job;

import java.time.Instant;

/** A job as the API shows it: {@code state} is waiting, running, succeeded or failed. */
public record JobView(String id, String name, String state, Integer exitCode, String reason, Instant started,
                      Instant ended, String log, String owner) {}
