/** The errors every part of the agent shares: not found, conflict with the current state. */
package dev.steward.agent.errors;
