package dev.steward.agent.placement;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class WantsTest {
    @Test
    void theMostAnyLiveNodeWantsRaisesAnAskAndNeverLowersIt() {
        Wants w = new Wants();
        w.load(Map.of("local/a/wants/dyn", "3", "local/b/wants/dyn", "2", "local/c/wants/dyn", "5", "local/a/instances/dyn/1", "{}",
                "local/a/wants/bad", "many"));
        assertThat(w.of("dyn", Set.of("a", "b"))).as("c holds no lease").isEqualTo(3);
        assertThat(w.of("bad", Set.of("a"))).as("a count that does not read").isZero();
        Ask ask = new Ask("dyn", 1, null, null);
        assertThat(w.raise(ask, Set.of("a", "b")).count()).isEqualTo(3);
        assertThat(w.raise(new Ask("dyn", 4, null, null), Set.of("a", "b")).count()).isEqualTo(4);
        assertThat(w.raise(new Ask("other", 1, null, null), Set.of("a"))).isEqualTo(new Ask("other", 1, null, null));
    }

    @Test
    void theWatchsChangesAreTakenAndNameTheirService() {
        Wants w = new Wants();
        assertThat(w.take("local/a/wants/dyn", Optional.of("2"))).isEqualTo("dyn");
        assertThat(w.take("local/a/instances/dyn/1", Optional.of("{}"))).isNull();
        assertThat(w.take("assignments/dyn", Optional.of("{}"))).isNull();
        assertThat(w.of("dyn", Set.of("a"))).isEqualTo(2);
        assertThat(w.take("local/a/wants/dyn", Optional.empty())).isEqualTo("dyn");
        assertThat(w.of("dyn", Set.of("a"))).as("deleted").isZero();
    }
}
