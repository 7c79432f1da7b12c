package io.shiftwork.queries;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class LeastInFlightTest {

    private static final ReadTarget A = ReadTarget.parse("consumer-a");
    private static final ReadTarget B = ReadTarget.parse("consumer-b");
    private static final ReadTarget C = ReadTarget.parse("cluster:consumer-c");

    @Test
    void theLeastBusyComesFirstAndTheOthersFollowForFailover() {
        LeastInFlight router = new LeastInFlight();
        router.started(A);
        router.started(A);
        router.started(B);
        assertEquals(List.of(C, B, A), router.order(List.of(A, B, C)));
        router.done(A);
        router.done(A);
        org.junit.jupiter.api.Assertions.assertTrue(List.of(A, C).contains(router.order(List.of(A, B, C)).get(0)),
                "A is idle again");
        assertEquals(1, router.inFlight(B));
        assertEquals(B, router.order(List.of(A, B, C)).get(2), "the busy one last");
    }

    @Test
    void equallyIdleConsumersShareTheReadsInTurn() {
        LeastInFlight router = new LeastInFlight();
        Map<ReadTarget, Integer> first = new HashMap<>();
        for (int i = 0; i < 30; i++) {
            first.merge(router.order(List.of(A, B, C)).get(0), 1, Integer::sum);
        }
        assertEquals(Map.of(A, 10, B, 10, C, 10), first);
    }

    @Test
    void aSingleOrNoCandidateIsItself() {
        LeastInFlight router = new LeastInFlight();
        assertEquals(List.of(A), router.order(List.of(A)));
        assertEquals(List.of(), router.order(List.of()));
    }

    @Test
    void consumerEntriesAreWorkgroupsOrClusters() {
        assertEquals(new ReadTarget("x-1", true), ReadTarget.parse(" cluster:x-1 "));
        assertEquals(new ReadTarget("x-1", false), ReadTarget.parse("x-1"));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> ReadTarget.parse("X;drop"));
    }
}
