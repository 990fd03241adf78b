/** Functions for Steward's java runtime: the {@link dev.steward.worker.fn.Function} interface and the generic worker that loads them. */
package dev.steward.worker.fn;
