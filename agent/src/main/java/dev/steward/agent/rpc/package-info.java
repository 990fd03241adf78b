/**
 * The protocol's doors: each service (the locator, logging, node, one per app) on its own TCP port,
 * frames read as they stream in, every call handled on a virtual thread and answered on its session.
 */
package dev.steward.agent.rpc;
