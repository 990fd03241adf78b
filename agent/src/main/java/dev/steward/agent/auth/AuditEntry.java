package dev.steward.agent.auth;

import java.time.Instant;

/** One change asked of the agent: who, what (method and path), when, and how it ended (status and result). */
public record AuditEntry(Instant at, String who, String action, int status, String result) {
    /** The result word for an HTTP status: ok, denied (401/403), refused (other 4xx) or failed. */
    public static String result(int status) {
        if (status < 400) return "ok";
        if (status == 401 || status == 403) return "denied";
        return status < 500 ? "refused" : "failed";
    }
}
