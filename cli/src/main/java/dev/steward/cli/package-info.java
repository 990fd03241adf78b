/** The steward command: one class per command, all thin clients of the agent's HTTP API. */
package dev.steward.cli;
