/** Isolates: how an instance is spooled and spawned, watched, signalled and adopted again. */
package dev.steward.agent.isolate;
