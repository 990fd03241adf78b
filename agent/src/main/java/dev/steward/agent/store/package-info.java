/** Where specs and state are kept: a key-value store (SQLite on one node, memory in tests, etcd later). */
package dev.steward.agent.store;
