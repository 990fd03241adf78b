/** Apps, their profiles and the runlist, as stored; the engine that runs them builds on these. */
package dev.steward.agent.apps;
