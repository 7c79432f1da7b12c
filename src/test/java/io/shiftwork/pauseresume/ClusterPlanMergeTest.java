package io.shiftwork.pauseresume;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.shiftwork.pauseresume.ClusterPlan.PlannedWindow;

/** A re-plan never forgets a pause in progress. Pure. */
class ClusterPlanMergeTest {

    private static final Instant T0 = Instant.parse("2026-11-23T00:00:00Z");

    private static Instant h(double hours) {
        return T0.plus(Duration.ofMinutes((long) (hours * 60)));
    }

    private static PlannedWindow w(double from, double to, boolean open, String state) {
        return new PlannedWindow(h(from), h(to), open, state, null, T0);
    }

    @Test
    void thePausedWindowKeepsItsStateAndTakesTheNewForecastsResumeTime() {
        PlannedWindow paused = w(1, 5, false, "PAUSED");
        List<PlannedWindow> fresh = List.of(w(2, 6, false, "PLANNED"), w(8, 10, false, "PLANNED"));
        List<PlannedWindow> merged = ClusterPlan.merge(fresh, Optional.of(paused), h(2.5));
        assertEquals(List.of(new PlannedWindow(h(1), h(6), false, "PAUSED", null, T0), w(8, 10, false, "PLANNED")), merged);
    }

    @Test
    void whenTheNewForecastSeesLoadNowThePauseEndsNow() {
        List<PlannedWindow> merged = ClusterPlan.merge(List.of(w(4, 6, false, "PLANNED")), Optional.of(w(1, 5, true, "PAUSED")), h(2));
        assertEquals(List.of(new PlannedWindow(h(1), h(2), false, "PAUSED", null, T0), w(4, 6, false, "PLANNED")), merged,
                "resumed at the next tick; the later window stays planned");
    }

    @Test
    void aResumeInProgressIsKeptAsItIsAndOverlappingNewWindowsAreDropped() {
        PlannedWindow resuming = w(1, 3, false, "RESUMING");
        List<PlannedWindow> merged = ClusterPlan.merge(List.of(w(2.5, 6, false, "PLANNED"), w(7, 9, true, "PLANNED")),
                Optional.of(resuming), h(3.2));
        assertEquals(List.of(resuming, w(7, 9, true, "PLANNED")), merged);
    }

    @Test
    void withNothingInProgressTheNewPlanIsTaken() {
        List<PlannedWindow> fresh = List.of(w(2, 6, false, "PLANNED"));
        assertEquals(fresh, ClusterPlan.merge(fresh, Optional.empty(), h(1)));
    }
}
