/** Services: the registry, and one runner per service that owns its state and drains an inbox; deciding is pure. */
package dev.steward.agent.service;
