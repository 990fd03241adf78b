package dev.steward.agent.gateway;

/** An instance's response head as it came (see {@link Head}): its status and where its reason phrase starts. */
final class ResponseHead extends Head {
    final int status;
    /** Where the status code starts in {@link #raw} (what follows the version, up to {@link #startEnd}, is kept as sent). */
    final int statusAt;

    ResponseHead(MessageReader.Parsed p, int status, int statusAt) {
        super(p);
        this.status = status;
        this.statusAt = statusAt;
    }
}
