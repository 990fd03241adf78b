package dev.steward.agent.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.steward.model.Instances;
import dev.steward.model.PolicyKind;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The pure decisions: how many instances, and which to start and stop. */
class PlannerTest {
    private static Planner.Facts f(String id, int version, boolean ready) {
        return new Planner.Facts(id, version, true, ready);
    }

    @Test
    void startsWhatIsMissingAndStopsTheNewestExtra() {
        assertThat(Planner.plan(2, 0, List.of(), true)).containsExactly(new Action.Start(), new Action.Start());
        assertThat(Planner.plan(1, 0, List.of(f("a", 0, true), f("b", 0, true), f("c", 0, false)), true))
                .containsExactly(new Action.Stop("c", "stop requested"), new Action.Stop("b", "stop requested"));
        assertThat(Planner.plan(2, 0, List.of(new Planner.Facts("a", 0, false, true)), true))
                .as("an instance being stopped does not count").hasSize(2);
    }

    @Test
    void nothingStartsWhileNeedsAreUnmet() {
        assertThat(Planner.plan(2, 0, List.of(), false)).isEmpty();
        assertThat(Planner.plan(0, 0, List.of(f("a", 0, true)), false)).containsExactly(new Action.Stop("a", "stop requested"));
    }

    @Test
    void aNewSpecReplacesOneInstanceAtATime() {
        // two old ones: one new starts, none stops yet
        assertThat(Planner.plan(2, 1, List.of(f("a", 0, true), f("b", 0, true)), true)).containsExactly(new Action.Start());
        // the new one is not ready: nothing more happens
        assertThat(Planner.plan(2, 1, List.of(f("a", 0, true), f("b", 0, true), f("n1", 1, false)), true)).isEmpty();
        // it is ready: the oldest goes, the next new one starts
        assertThat(Planner.plan(2, 1, List.of(f("a", 0, true), f("b", 0, true), f("n1", 1, true)), true))
                .containsExactly(new Action.Stop("a", "replaced by an instance of the new spec"), new Action.Start());
        // the second is ready: the last old one goes
        assertThat(Planner.plan(2, 1, List.of(f("b", 0, true), f("n1", 1, true), f("n2", 1, true)), true))
                .containsExactly(new Action.Stop("b", "replaced by an instance of the new spec"));
        // a service wanted at zero stops its old instances at once
        assertThat(Planner.plan(0, 1, List.of(f("a", 0, true)), true)).containsExactly(new Action.Stop("a", "stop requested"));
    }

    @Test
    void theWantedCountFollowsThePolicy() {
        Instances three = new Instances(3, 3, 1);
        assertThat(new Wanted(PolicyKind.PERMANENT, three, false, true, null, null, 0, false, 0).count()).isEqualTo(3);
        assertThat(new Wanted(PolicyKind.PERMANENT, three, false, false, null, null, 5, false, 0).count()).isZero();
        assertThat(new Wanted(PolicyKind.PERMANENT, three, true, true, null, null, 0, false, 0).count()).as("off").isZero();
        assertThat(new Wanted(PolicyKind.ON_DEMAND, three, false, false, null, null, 1, false, 0).count()).isEqualTo(3);
        assertThat(new Wanted(PolicyKind.LINGERING, three, false, false, null, null, 0, true, 0).count()).isEqualTo(3);
        assertThat(new Wanted(PolicyKind.LINGERING, three, false, false, null, null, 0, false, 0).count()).isZero();
        Wanted manual = new Wanted(PolicyKind.PERMANENT, three, false, true, 5, null, 0, false, 0);
        assertThat(manual.count()).isEqualTo(5);
        assertThat(manual.rule()).isEqualTo(Wanted.Rule.START);
    }

    @Test
    void aDynamicCountIsClampedAndNeverBelowReferences() {
        Instances oneToFour = new Instances(1, 4, 10);
        assertThat(new Wanted(PolicyKind.DYNAMIC, oneToFour, false, true, null, null, 0, false, 0).count()).isEqualTo(1);
        assertThat(new Wanted(PolicyKind.DYNAMIC, oneToFour, false, true, null, 9, 0, false, 0).count()).as("a ping's recommendation within max").isEqualTo(4);
        Wanted refs = new Wanted(PolicyKind.DYNAMIC, oneToFour, false, true, null, 1, 3, false, 0);
        assertThat(refs.count()).as("a recommendation never shrinks it below its references").isEqualTo(3);
        assertThat(refs.rule()).isEqualTo(Wanted.Rule.REFERENCES);
        Wanted scaled = new Wanted(PolicyKind.DYNAMIC, oneToFour, false, false, null, null, 0, false, 2);
        assertThat(scaled.count()).isEqualTo(2);
        assertThat(scaled.rule()).isEqualTo(Wanted.Rule.AUTOSCALER);
    }
}
