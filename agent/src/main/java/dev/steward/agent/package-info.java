/** The agent: wires the store, supervisor and API together and runs them. */
package dev.steward.agent;
