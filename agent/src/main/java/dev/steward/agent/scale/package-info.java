/** Scaling dynamic services with demand: the gateway's requests in flight per service, averaged and turned into instance counts. */
package dev.steward.agent.scale;
