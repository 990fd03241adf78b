/** Jobs: run-to-completion programs started after the services they need. */
package dev.steward.agent.job;
