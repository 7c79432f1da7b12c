package io.shiftwork.pauseresume;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class PlanSavingsTest {

    private static final Instant TUESDAY = Instant.parse("2024-03-05T00:00:00Z");

    @Test
    void aPlanStatesPausedHoursAndMoneyAgainstAlwaysOnAndTheFixedSchedule() {
        // 22:00 the day before... within a Tuesday: paused 00:30–07:00 and 19:00–24:00 = 11.5 h; the fixed schedule 12 h
        List<PausePlanner.Window> w = List.of(
                new PausePlanner.Window(TUESDAY.plus(Duration.ofMinutes(30)), TUESDAY.plus(Duration.ofHours(7)), false),
                new PausePlanner.Window(TUESDAY.plus(Duration.ofHours(19)), TUESDAY.plus(Duration.ofHours(26)), true));
        PlanSavings s = PlanSavings.of(w, TUESDAY, TUESDAY.plus(Duration.ofDays(1)), "ra3.xlplus", 2, 1.086, ZoneOffset.UTC);
        assertEquals(11.5, s.pausedHours(), 1e-9, "counted inside the plan's horizon only");
        assertEquals(24.98, s.savedVsAlwaysOn(), 1e-9, "11.5 h × 2 nodes × 1.086");
        assertEquals(12, s.fixedSchedulePausedHours(), 1e-9);
        assertEquals(-1.09, s.savedVsFixedSchedule(), 1e-9, "half an hour less than the schedule");
    }

    @Test
    void aStoredPlanCountsNeitherSkippedNorFailedWindows() {
        List<ForecastPoint> forecast = new ArrayList<>();
        for (Instant t = TUESDAY.plus(Duration.ofDays(5)); t.isBefore(TUESDAY.plus(Duration.ofDays(6))); t = t.plus(Forecaster.STEP)) {
            forecast.add(new ForecastPoint(t, 1, 2));
        }
        Instant sunday = TUESDAY.plus(Duration.ofDays(5));
        ClusterPlan plan = new ClusterPlan("c", sunday, 10, List.of(
                new ClusterPlan.PlannedWindow(sunday, sunday.plus(Duration.ofHours(10)), false, "PAUSED", null, sunday),
                new ClusterPlan.PlannedWindow(sunday.plus(Duration.ofHours(11)), sunday.plus(Duration.ofHours(20)), false, "SKIPPED",
                        "guard", sunday)), forecast, null, 1);
        PlanSavings s = PlanSavings.of(plan, "ra3.4xlarge", 3, 3.26, ZoneOffset.UTC);
        assertEquals(10, s.pausedHours(), 1e-9);
        assertEquals(97.8, s.savedVsAlwaysOn(), 1e-9);
        assertEquals(24, s.fixedSchedulePausedHours(), 1e-9, "a Sunday: the schedule pauses all day");
        assertEquals(-136.92, s.savedVsFixedSchedule(), 1e-9);
    }
}
