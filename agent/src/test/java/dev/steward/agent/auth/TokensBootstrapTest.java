package dev.steward.agent.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.steward.agent.store.MemoryStore;
import dev.steward.agent.store.Store;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokensBootstrapTest {
    @TempDir
    Path tmp;

    /**
     * Two nodes of a cluster start together: the second looks at the tokens before the first one's admin
     * reaches it (its cache is behind), so both try to make admin. The second makes its own instead of
     * failing to start.
     */
    @Test
    void aNodeThatLosesTheRaceForAdminMakesItsOwn() throws Exception {
        MemoryStore shared = new MemoryStore();
        AtomicBoolean behind = new AtomicBoolean(true);
        Store lagging = (Store) Proxy.newProxyInstance(Store.class.getClassLoader(), new Class<?>[] {Store.class}, (p, m, args) -> {
            if (m.getName().equals("list") && args != null && "tokens/".equals(args[0]) && behind.getAndSet(false)) return Map.of();
            try {
                return m.invoke(shared, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        });
        Path a = Files.createDirectories(tmp.resolve("a"));
        Path b = Files.createDirectories(tmp.resolve("b"));
        new Tokens(shared, Clock.systemUTC()).bootstrap(a, "a");
        Tokens second = new Tokens(lagging, Clock.systemUTC());
        behind.set(true);
        second.bootstrap(b, "b");
        assertThat(second.named("admin-b")).isPresent();
        Tokens.Check check = second.check(Files.readString(b.resolve(Tokens.BOOTSTRAP_FILE)).strip());
        assertThat(check).as("node b's token file holds its own admin's secret").isInstanceOf(Tokens.Check.Valid.class);
        assertThat(((Tokens.Check.Valid) check).caller().name()).isEqualTo("admin-b");
    }

    @Test
    void aLoneAgentStillRefusesASecondAdmin() throws Exception {
        MemoryStore store = new MemoryStore();
        Tokens t = new Tokens(store, Clock.systemUTC());
        t.bootstrap(tmp);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> t.create("admin", Role.ADMIN, null))
                .hasMessageContaining("a token named admin exists");
    }
}
