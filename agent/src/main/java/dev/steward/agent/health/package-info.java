/** Health checks: one ping (http, tcp, exec) within its timeout, the loop that repeats it, and the pure rule over results. */
package dev.steward.agent.health;
