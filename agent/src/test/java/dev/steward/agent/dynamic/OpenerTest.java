package dev.steward.agent.dynamic;

import static org.assertj.core.api.Assertions.assertThat;

import dev.steward.agent.auth.Caller;
import dev.steward.agent.auth.Role;
import dev.steward.agent.auth.Tokens;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class OpenerTest {
    private final Map<String, Tokens.Check> known = Map.of(
            "a", new Tokens.Check.Valid(new Caller("alice", Role.USER)),
            "b", new Tokens.Check.Valid(new Caller("bob", Role.USER)),
            "c", new Tokens.Check.Valid(new Caller("carol", Role.USER)),
            "r", new Tokens.Check.Valid(new Caller("root", Role.ADMIN)),
            "x", new Tokens.Check.Expired("old", Instant.parse("2026-01-01T00:00:00Z")));
    private final Function<String, Tokens.Check> tokens = s -> known.getOrDefault(s, new Tokens.Check.Unknown());

    private Integer status(String authorization, String cookie) {
        var r = Opener.refuses(tokens, "alice", List.of("carol"), authorization, cookie);
        return r == null ? null : r.status();
    }

    @Test
    void theOpenerTheSpecsAdministratorsAndAdminsPassOthersAreRefused() {
        assertThat(status("Bearer a", null)).isNull();
        assertThat(status("bearer c", null)).isNull();
        assertThat(status("Bearer r", null)).isNull();
        assertThat(status(null, "x=1; steward-token=a")).isNull();
        assertThat(status("Bearer b", null)).isEqualTo(403);
        assertThat(status(null, "steward-token=b")).isEqualTo(403);
        assertThat(status(null, null)).isEqualTo(401);
        assertThat(status("Basic YTpi", "other=1")).isEqualTo(401);
        assertThat(status("Bearer nope", null)).isEqualTo(401);
        assertThat(Opener.refuses(tokens, "alice", List.of(), "Bearer x", null).reason()).contains("expired");
        assertThat(Opener.refuses(tokens, "alice", List.of(), "Bearer b", null).reason()).isEqualTo("this instance is alice's; bob may not open it");
    }
}
