/** The agent: wires the store, registry, gateway, engine and API together and runs them. */
package dev.steward.agent;
