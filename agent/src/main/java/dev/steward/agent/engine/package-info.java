/**
 * The app engine: for each running app a queue of events, a pool of worker processes speaking the
 * worker protocol over the app's unix socket, and the timers that keep the pool honest (startup,
 * heartbeat, idle, termination, crash back-off). Each app's state is owned by one event loop;
 * callers on other threads hand their work to it.
 */
package dev.steward.agent.engine;
