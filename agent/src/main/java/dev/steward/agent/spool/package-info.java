/** Spooling: uploads taken to disk within limits; archives unpacked without following links, checked, cached by content hash. */
package dev.steward.agent.spool;
