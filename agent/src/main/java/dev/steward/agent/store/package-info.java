/** Where specs and state are kept: a key-value store (SQLite on one node, etcd in a cluster, memory in tests). */
package dev.steward.agent.store;
