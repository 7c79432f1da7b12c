package io.shiftwork.pauseresume;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.shiftwork.pauseresume.ClusterPlan.PlannedWindow;

/** Issue 14, requirements 7 and 8, the pure parts: open-ended pauses and seasonality in the cluster's time zone. */
class OpenEndedAndLocalTimePlanningTest {

    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    private static final Duration HOUR = Duration.ofHours(1);
    private static final Duration LEAD = Duration.ofMinutes(15);

    /** Busy (40 %) on weekdays 09:00-17:00 Berlin time, idle (3 %) otherwise, every 5 minutes in [from, to). */
    private static List<Sample> officeHoursInBerlin(Instant from, Instant to) {
        List<Sample> out = new ArrayList<>();
        int i = 0;
        for (Instant t = from; t.isBefore(to); t = t.plus(Forecaster.STEP), i++) {
            ZonedDateTime local = t.atZone(BERLIN);
            boolean weekday = local.getDayOfWeek().getValue() <= 5;
            boolean office = local.getHour() >= 9 && local.getHour() < 17;
            out.add(new Sample(t, weekday && office ? 40 + i % 3 : 3 + i % 2));
        }
        return out;
    }

    @Test
    void inTheWeekAfterTheSpringDstChangeTheNightsPauseEndsBeforeNineLocalNotNineWinterTime() {
        // Europe/Berlin moves to summer time on Sunday 2026-03-29: 09:00 local is 08:00 UTC before, 07:00 UTC after
        Instant monday = LocalDateTime.parse("2026-03-30T00:00").atZone(BERLIN).toInstant();
        List<Sample> history = officeHoursInBerlin(monday.minus(Duration.ofDays(28)), monday);
        Instant nineLocal = LocalDateTime.parse("2026-03-30T09:00").atZone(BERLIN).toInstant();
        assertEquals(Instant.parse("2026-03-30T07:00:00Z"), nineLocal);

        List<ForecastPoint> local = new SeasonalForecaster(0.95, 3, 7, true, BERLIN).forecast("c", history, monday, Duration.ofDays(1));
        PausePlanner.Window night = PausePlanner.plan(local, 10, HOUR, LEAD).get(0);
        assertTrue(!night.resumeAt().isAfter(nineLocal.minus(LEAD)) && night.resumeAt().isAfter(nineLocal.minus(HOUR)),
                "resumed a lead before 09:00 local (07:00 UTC): " + night);
        assertTrue(local.stream().filter(p -> p.at().equals(nineLocal.plus(Duration.ofMinutes(30)))).findFirst().orElseThrow()
                .upper() >= 40, "09:30 local forecast busy");

        List<ForecastPoint> utc = new SeasonalForecaster(0.95, 3, 7, true, ZoneOffset.UTC).forecast("c", history, monday, Duration.ofDays(1));
        PausePlanner.Window stale = PausePlanner.plan(utc, 10, HOUR, LEAD).get(0);
        assertTrue(stale.resumeAt().isAfter(nineLocal), "in UTC the week after the change would still be paused at 09:00 "
                + "local (what this fixes): " + stale);

        // the tuned forecaster (the manager's) in the cluster's zone plans the same
        List<ForecastPoint> tuned = new TunedForecaster(10, HOUR, LEAD, 0.95, 0.01, 7).inZone(BERLIN)
                .forecast("c", history, monday, Duration.ofDays(1));
        PausePlanner.Window tunedNight = PausePlanner.plan(tuned, 10, HOUR, LEAD).get(0);
        assertTrue(!tunedNight.resumeAt().isAfter(nineLocal.minus(LEAD)) && tunedNight.resumeAt().isAfter(nineLocal.minus(HOUR)),
                "tuned, in Berlin time: " + tunedNight);
        // and the evening: paused after 17:00 local (15:00 UTC), not at 16:00 UTC
        Instant fiveLocal = LocalDateTime.parse("2026-03-30T17:00").atZone(BERLIN).toInstant();
        PausePlanner.Window evening = PausePlanner.plan(local, 10, HOUR, LEAD).get(1);
        assertTrue(!evening.pauseAt().isBefore(fiveLocal) && evening.pauseAt().isBefore(fiveLocal.plus(HOUR)), "evening: " + evening);
    }

    @Test
    void anInvalidZoneStopsStartUpNamingTheKey() {
        assertEquals(BERLIN, PauseResumeManager.zone("sales", "Europe/Berlin"));
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> PauseResumeManager.zone("sales", "Europe/Bonn"));
        assertTrue(e.getMessage().startsWith("shiftwork.pause-resume.clusters.sales.zone must be a time zone"), e.getMessage());
    }

    @Test
    void aWorkloadThatStoppedGetsAnOpenEndedPauseUpToTheMaximum() {
        Instant now = Instant.parse("2026-11-23T10:00:00Z");
        List<Sample> stoppedTwoDaysAgo = new ArrayList<>();
        for (int i = 0; i < 4 * 288; i++) {
            Instant t = now.minus(Forecaster.STEP.multipliedBy(4 * 288 - i));
            stoppedTwoDaysAgo.add(new Sample(t, t.isBefore(now.minus(Duration.ofDays(2))) ? 50 : 1));
        }
        assertEquals(Optional.of(new PausePlanner.Window(now, now.plus(Duration.ofHours(72)), false)),
                PausePlanner.openEnded(stoppedTwoDaysAgo, 10, now, Duration.ofDays(1), Duration.ofHours(72)));
        assertEquals(Optional.empty(), PausePlanner.openEnded(stoppedTwoDaysAgo, 10, now, Duration.ofDays(3), Duration.ofHours(72)),
                "busy within the last three days: not stopped");
        assertEquals(Optional.empty(), PausePlanner.openEnded(stoppedTwoDaysAgo.subList(4 * 288 - 100, 4 * 288), 10, now,
                Duration.ofDays(1), Duration.ofHours(72)), "a history shorter than the idle period proves nothing");
    }

    @Test
    void aRePlanKeepsAnOpenEndedPausesMaximumCountedFromThePause() {
        Instant t0 = Instant.parse("2026-11-23T00:00:00Z");
        PlannedWindow paused = new PlannedWindow(t0, t0.plus(Duration.ofHours(72)), false, "PAUSED", null, t0, true);
        Instant later = t0.plus(Duration.ofHours(30));
        PlannedWindow again = new PlannedWindow(later, later.plus(Duration.ofHours(72)), false, "PLANNED", null, later, true);
        List<PlannedWindow> merged = ClusterPlan.merge(List.of(again), Optional.of(paused), later);
        assertEquals(List.of(paused), merged, "still open-ended, still resumed at the latest 72 h after the pause");

        PlannedWindow loadSeen = new PlannedWindow(later, later.plus(Duration.ofHours(3)), false, "PLANNED", null, later);
        PlannedWindow kept = ClusterPlan.merge(List.of(loadSeen), Optional.of(paused), later).get(0);
        assertEquals(later.plus(Duration.ofHours(3)), kept.resumeAt());
        assertFalse(kept.openEnded(), "the forecast sees the workload again: a planned resume");
    }
}
