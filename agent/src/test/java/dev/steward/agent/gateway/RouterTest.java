package dev.steward.agent.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.steward.model.Route;
import java.util.List;
import org.junit.jupiter.api.Test;

class RouterTest {
    static final List<Router.Target> TARGETS = List.of(
            new Router.Target("hello", null),
            new Router.Target("api", new Route("/v2/api", "api.example.test")),
            new Router.Target("hellothere", null));

    static Router.Match match(String host, String path) {
        return Router.match(TARGETS, host, path, "localhost").orElse(null);
    }

    @Test
    void thePathPrefixIsTheServiceAndIsStripped() {
        assertThat(match("127.0.0.1:8080", "/hello/a/b?x=1")).isEqualTo(new Router.Match("hello", "/a/b?x=1"));
        assertThat(match("127.0.0.1:8080", "/hello")).isEqualTo(new Router.Match("hello", "/"));
        assertThat(match("127.0.0.1:8080", "/hello?q")).isEqualTo(new Router.Match("hello", "/?q"));
        assertThat(match("127.0.0.1:8080", "/hellothere/x")).isEqualTo(new Router.Match("hellothere", "/x"));
        assertThat(match("127.0.0.1:8080", "/hellox")).isNull();
    }

    @Test
    void aRoutePathReplacesTheDefaultPrefix() {
        assertThat(match("127.0.0.1", "/v2/api/users")).isEqualTo(new Router.Match("api", "/users"));
        assertThat(match("127.0.0.1", "/api/users")).isNull();
    }

    @Test
    void theHostWinsAndKeepsThePath() {
        assertThat(match("hello.localhost:8080", "/index.html")).isEqualTo(new Router.Match("hello", "/index.html"));
        assertThat(match("API.example.test", "/x")).isEqualTo(new Router.Match("api", "/x"));
        assertThat(match("other.localhost", "/x")).isNull();
    }
}
