package dev.steward.agent.placement;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExtrasTest {
    final Extra asked = Extra.ask("web", null, "a", List.of("a", "b"), 1_000);
    final Extras.Near near = new Extras.Near(List.of("a"), Map.of("b", 1));

    @Test
    void anAskPlacedNearTheAskerIsGrantedAndCountsOneMore() {
        Extra next = Extras.next(asked, near, new Decision.Placed(Map.of("a", 1, "b", 1)), 2_000);
        assertThat(next).isEqualTo(new Extra("web", 1, "", List.of(), 1_000, ""));
        assertThat(next.pending()).isFalse();
    }

    @Test
    void anAskThatCouldGoOnlyWhereAnInstanceRunsIsRefused() {
        Extra next = Extras.next(asked, near, new Decision.Placed(Map.of("b", 2)), 2_000);
        assertThat(next.count()).isZero();
        assertThat(next.refused()).isEqualTo("no node near a without an instance has room");
        assertThat(Extras.next(asked, null, new Decision.Placed(Map.of("a", 1, "b", 1)), 2_000).refused())
                .isEqualTo("every node near a runs an instance already");
    }

    @Test
    void anAskWithNoRoomIsRefusedWithTheReason() {
        Extra next = Extras.next(asked, near, new Decision.Pending(Map.of("b", 1), 1, "no node has 2 GiB of memory free: a 1 GiB"), 2_000);
        assertThat(next.refused()).isEqualTo("no node has 2 GiB of memory free: a 1 GiB");
        assertThat(next.pending()).isFalse();
    }

    @Test
    void extraInstancesGoWhenNobodyAskedForMoreForAWhile() {
        Extra granted = new Extra("web", 2, "", List.of(), 1_000, "");
        Decision d = new Decision.Placed(Map.of("a", 2));
        assertThat(Extras.next(granted, null, d, 1_000 + Extras.IDLE.toMillis())).isEqualTo(granted);
        assertThat(Extras.next(granted, null, d, 1_001 + Extras.IDLE.toMillis()).count()).isZero();
    }
}
