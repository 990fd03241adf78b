/** The gateway: routes HTTP by path prefix or host name to a service's instances, starting one when none runs. */
package dev.steward.agent.gateway;
