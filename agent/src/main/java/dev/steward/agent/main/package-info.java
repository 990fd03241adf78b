/** The agent's entry point: {@code steward agent}'s options, the listeners printed, the agent run until it is told to stop. */
package dev.steward.agent.main;
