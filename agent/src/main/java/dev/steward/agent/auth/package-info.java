/** Who calls the API: tokens (only their hashes stored), callers and their roles, owners' rights and the audit log. */
package dev.steward.agent.auth;
