/** Specs, states and events: the records every module exchanges. */
package dev.steward.model;
