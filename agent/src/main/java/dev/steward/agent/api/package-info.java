/** The HTTP API on Armeria: routes, JSON errors, event and log streams, blocking handlers on virtual threads. */
package dev.steward.agent.api;
