package dev.steward.agent.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** Request paths made canonical before routing; climbing above the root refused. */
class PathsTest {
    @Test
    void dotsAndDoubleSlashesGo() {
        assertThat(Paths.normalise("/svc/../x")).isEqualTo("/x");
        assertThat(Paths.normalise("/svc//a///b")).isEqualTo("/svc/a/b");
        assertThat(Paths.normalise("/svc/./a/.")).isEqualTo("/svc/a/");
        assertThat(Paths.normalise("/svc/a/..")).isEqualTo("/svc/");
        assertThat(Paths.normalise("//svc")).isEqualTo("/svc");
        assertThat(Paths.normalise("/svc/%2e%2e/admin")).isEqualTo("/admin");
        assertThat(Paths.normalise("/svc/%2E./admin?x=/../y")).isEqualTo("/admin?x=/../y");
        assertThat(Paths.normalise("/svc/.%2e")).isEqualTo("/");
    }

    @Test
    void whatIsAlreadyCanonicalIsTheSameString() {
        for (String p : new String[] {"/", "/svc", "/svc/", "/svc/a.b/c..d?q=..", "/.well-known/x", "/svc/...", "/svc/a%2fb"}) {
            assertThat(Paths.normalise(p)).as(p).isEqualTo(p);
        }
    }

    @Test
    void climbingAboveTheRootIsRefused() {
        assertThat(Paths.normalise("/..")).isNull();
        assertThat(Paths.normalise("/svc/../../etc/passwd")).isNull();
        assertThat(Paths.normalise("/%2e%2e/x")).isNull();
        assertThat(Paths.normalise("/a/./../..")).isNull();
    }

    @Property(tries = 2000)
    void theResultIsCanonicalAndStaysSo(@ForAll("paths") String path) {
        String n = Paths.normalise(path);
        if (n == null) return;
        String p = n.contains("?") ? n.substring(0, n.indexOf('?')) : n;
        assertThat(p).startsWith("/").doesNotContain("//");
        for (String seg : p.split("/")) {
            assertThat(seg.replaceAll("(?i)%2e", ".")).isNotIn(".", "..");
        }
        assertThat(Paths.normalise(n)).isEqualTo(n);
    }

    @Provide
    Arbitrary<String> paths() {
        Arbitrary<String> segment = Arbitraries.oneOf(Arbitraries.of(".", "..", "", "%2e", "%2E%2e", ".%2e", "...", "a", "b.c", "%2f"),
                Arbitraries.strings().withChars("ab.%2eE/").ofMaxLength(6));
        return segment.list().ofMaxSize(8).map(l -> "/" + String.join("/", l))
                .flatMap(p -> Arbitraries.of("", "?q=/../x", "?").map(q -> p + q));
    }
}
