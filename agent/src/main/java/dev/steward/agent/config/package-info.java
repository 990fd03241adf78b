/** The agent's configuration, validated and frozen at start. */
package dev.steward.agent.config;
