/** Supervision: one controller per service keeps its instances at the wanted count, restarts and pings them. */
package dev.steward.agent.supervisor;
