/** The cluster on etcd: this node's lease and what it publishes under nodes/NAME, and the view of every node. */
package dev.steward.agent.cluster;
