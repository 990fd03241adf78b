/** Placement in a cluster: the pure plan (asks and nodes in, decisions out), the elected scheduler that writes assignments, and each node's reading of them. */
package dev.steward.agent.placement;
