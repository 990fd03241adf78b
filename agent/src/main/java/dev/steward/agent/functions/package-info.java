/** Functions: their versions as stored, the check of their code, and the running versions, each an app of generic runtime workers. */
package dev.steward.agent.functions;
