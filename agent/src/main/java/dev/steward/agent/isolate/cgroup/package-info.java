/** Control groups, v1 and v2 behind one interface: limits, freezing, usage, killing, cleanup. */
package dev.steward.agent.isolate.cgroup;
