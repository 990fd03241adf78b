package dev.steward.agent.logs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class MergeTest {
    static final Instant T0 = Instant.parse("2026-05-01T10:00:00Z");

    static String at(int second, String text) {
        return Stamp.prefix(T0.plusSeconds(second)) + text;
    }

    static List<String> texts(List<Merge.Entry> es) {
        return es.stream().map(e -> e.label() + ":" + e.text()).toList();
    }

    @Test
    void linesOfSeveralLogsComeInTimeOrder() {
        var a = new Merge.Source("a", List.of(at(1, "a1"), at(4, "a4"), at(5, "a5")));
        var b = new Merge.Source("b", List.of(at(2, "b2"), at(3, "b3"), at(6, "b6")));
        assertThat(texts(Merge.of(List.of(a, b), null, 100))).containsExactly("a:a1", "b:b2", "b:b3", "a:a4", "a:a5", "b:b6");
        assertThat(Merge.of(List.of(a, b), null, 100).get(0).time()).isEqualTo(T0.plusSeconds(1));
    }

    @Test
    void tailIsTakenOverTheMergeAndSinceLeavesOutWhatCameBefore() {
        var a = new Merge.Source("a", List.of(at(1, "a1"), at(4, "a4"), at(5, "a5")));
        var b = new Merge.Source("b", List.of(at(2, "b2"), at(3, "b3"), at(6, "b6")));
        assertThat(texts(Merge.of(List.of(a, b), null, 3))).containsExactly("a:a4", "a:a5", "b:b6");
        assertThat(texts(Merge.of(List.of(a, b), T0.plusSeconds(3), 100))).containsExactly("b:b3", "a:a4", "a:a5", "b:b6");
        assertThat(texts(Merge.of(List.of(a, b), T0.plusSeconds(3), 2))).containsExactly("a:a5", "b:b6");
        assertThat(Merge.of(List.of(a, b), T0.plusSeconds(60), 100)).isEmpty();
        assertThat(Merge.of(List.of(a, b), null, 0)).isEmpty();
        assertThat(Merge.of(List.of(), null, 10)).isEmpty();
    }

    @Test
    void equalTimesKeepTheOrderOfLogsAndLines() {
        var a = new Merge.Source("a", List.of(at(1, "x"), at(1, "y")));
        var b = new Merge.Source("b", List.of(at(1, "z")));
        assertThat(texts(Merge.of(List.of(a, b), null, 10))).containsExactly("a:x", "a:y", "b:z");
    }

    @Test
    void anUnstampedLineFollowsTheStampedOneBeforeIt() {
        var a = new Merge.Source("a", List.of("old, before stamps", at(1, "a1"), "continued", at(5, "a5")));
        var b = new Merge.Source("b", List.of(at(3, "b3")));
        assertThat(texts(Merge.of(List.of(a, b), null, 10))).containsExactly("a:old, before stamps", "a:a1", "a:continued", "b:b3", "a:a5");
        assertThat(Merge.of(List.of(a, b), null, 10).get(0).time()).isNull();
        // since: a line of unknown time is left out, one that follows a stamped line goes with it
        assertThat(texts(Merge.of(List.of(a), T0, 10))).containsExactly("a:a1", "a:continued", "a:a5");
    }

    @Test
    void aNegativeTailIsRefused() {
        assertThatThrownBy(() -> Merge.of(List.of(), null, -1)).hasMessage("tail: -1 (expected: 0 or more)");
    }
}
