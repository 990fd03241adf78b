/**
 * The Java worker SDK: register a {@link Handler} per event name and {@link Worker#run()}; the SDK
 * connects to the agent, shakes hands, sends heartbeats, and runs each invocation on a virtual
 * thread with its request as a stream and its reply in chunks.
 */
package dev.steward.worker;
