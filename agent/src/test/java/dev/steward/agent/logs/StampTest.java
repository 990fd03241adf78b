package dev.steward.agent.logs;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class StampTest {
    @Test
    void aStampedLineReadsBackAsItsTimeAndText() {
        Instant t = Instant.parse("2026-05-01T10:00:00.123456789Z");
        String line = Stamp.prefix(t) + "hello  world";
        assertThat(Stamp.prefix(t)).hasSize(Stamp.WIDTH).isEqualTo("2026-05-01T10:00:00.123456Z ");
        Stamp.Line l = Stamp.parse(line);
        assertThat(l.time()).isEqualTo(Instant.parse("2026-05-01T10:00:00.123456Z"));
        assertThat(l.text()).isEqualTo("hello  world");
        assertThat(l.stamped()).isEqualTo(line);
        assertThat(Stamp.parse(Stamp.prefix(t)).text()).isEmpty();
    }

    @Test
    void aLineWithoutAStampIsKeptWhole() {
        for (String s : new String[] {"", "plain text", "2026-05-01T10:00:00.123456Z", "2026-13-01T10:00:00.123456Z not a month",
                "2026-05-01 10:00:00.123456Z space", "xxxx-05-01T10:00:00.123456Z junk", "2026-05-01T10:00:00.123456Zx"}) {
            Stamp.Line l = Stamp.parse(s);
            assertThat(l.time()).as(s).isNull();
            assertThat(l.text()).isEqualTo(s);
            assertThat(l.stamped()).isEqualTo(s);
        }
    }

    @Test
    void stampsSortAsTextInTimeOrder() {
        Instant a = Instant.parse("2026-05-01T09:59:59.999999Z");
        Instant b = Instant.parse("2026-05-01T10:00:00Z");
        assertThat(Stamp.prefix(a).compareTo(Stamp.prefix(b))).isNegative();
    }
}
