/** Prometheus metrics: instances by state, starts, failures, restarts and ping latency. */
package dev.steward.agent.metrics;
