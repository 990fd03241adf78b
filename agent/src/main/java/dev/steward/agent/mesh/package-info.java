/** One network in a cluster: other nodes' ready instances as the gateway reaches them, their protocol services as the locator resolves them, the round trip to each node, and asks for one more instance near this node. */
package dev.steward.agent.mesh;
