/** What the data plane sees of services: ready endpoints, references, wake-ups and in-flight counts; no locks. */
package dev.steward.agent.traffic;
