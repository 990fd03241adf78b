/** Dynamic services (issue 14): instances opened by hand, each its parts in a network namespace of its own, with a UUID, a route, inputs, outputs and state. */
package dev.steward.agent.dynamic;
