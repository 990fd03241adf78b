/** Spooling: code from a directory or an archive, unpacked safely and cached by content hash. */
package dev.steward.agent.spool;
