/** Netty plumbing the gateway and the RPC server share: the kernel transport, and readers held while a writer drains. */
package dev.steward.agent.net;
