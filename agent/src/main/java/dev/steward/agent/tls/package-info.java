/** TLS for the API and the gateway: a certificate chain and its key read from PEM files and checked, and dev mode's self-signed pair. */
package dev.steward.agent.tls;
