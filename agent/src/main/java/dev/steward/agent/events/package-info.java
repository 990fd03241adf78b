/** The event bus: every change of state is published here and read by the API stream, metrics and the scaler. */
package dev.steward.agent.events;
