/** One instance's life (spawn, ready, exit, back-off, stop) with a hook per concern; doing happens off the service's runner. */
package dev.steward.agent.instance;
