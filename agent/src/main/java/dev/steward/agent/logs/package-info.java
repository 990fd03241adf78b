/** Instance log files: tailing, following and rotating them. */
package dev.steward.agent.logs;
