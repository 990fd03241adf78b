/** The few system calls the JDK lacks (through JNA) and signals to processes and groups: what isolates and cgroups both use. */
package dev.steward.agent.isolate.os;
