package io.shiftwork.pauseresume;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The honest capture and the incidents, on a trace small enough to count by hand. */
class PlanScoreTest {

    private static final Instant START = Instant.parse("2024-03-04T00:00:00Z");
    private static final Instant END = START.plus(Duration.ofHours(6));
    private static final Duration HOUR = Duration.ofHours(1);

    private static Instant at(String hhmm) {
        return Instant.parse("2024-03-04T" + hhmm + ":00Z");
    }

    /**
     * 00:00–06:00: idle 00:00–01:30 (a 90-minute run), busy 01:30, idle 01:35–02:15 (40 minutes: shorter than the
     * minimum pause), busy 02:15–02:30, idle 02:30–06:00 (3.5 h). Idle runs of at least an hour: 1.5 + 3.5 = 5 h.
     */
    private static List<Sample> trace() {
        List<Sample> out = new ArrayList<>();
        for (Instant t = START; t.isBefore(END); t = t.plus(Forecaster.STEP)) {
            boolean busy = t.equals(at("01:30")) || !t.isBefore(at("02:15")) && t.isBefore(at("02:30"));
            out.add(new Sample(t, busy ? 40 : 3));
        }
        return out;
    }

    private static final List<PausePlanner.Window> PLAN = List.of(
            // 1.5 h paused: 1 h inside the 90-minute run, the busy 01:30 sample, 25 minutes of the 40-minute run
            new PausePlanner.Window(at("00:30"), at("02:00"), false),
            // 2 h inside the 3.5 h run
            new PausePlanner.Window(at("03:00"), at("05:00"), false));

    @Test
    void captureCountsOnlyPausedTimeInsideIdleRunsOfAtLeastMinPause() {
        assertEquals(List.of(new PlanScore.Interval(START, at("01:30")), new PlanScore.Interval(at("02:30"), END)),
                PlanScore.idleRuns(trace(), START, END, 10, HOUR));
        PlanScore s = PlanScore.of(PLAN, trace(), START, END, 10, HOUR);
        assertEquals(5.0, s.idleRunHours(), 1e-9);
        assertEquals(3.5, s.pausedHours(), 1e-9);
        assertEquals(3.0, s.capturedHours(), 1e-9, "the busy sample and the short run paused over are not captured");
        assertEquals(0.6, s.idleCapture(), 1e-9, "3 h of 5 (paused hours / idle hours would say 70 %)");
    }

    @Test
    void anIncidentIsAPauseWithAtLeastOneBusySampleInside() {
        PlanScore s = PlanScore.of(PLAN, trace(), START, END, 10, HOUR);
        assertEquals(4, s.busy());
        assertEquals(1, s.busyPaused());
        assertEquals(0.25, s.busyWhilePaused(), 1e-9);
        assertEquals(1, s.incidents(), "the first pause ran into load, the second did not");
        assertEquals(5 / 60.0, s.busyHoursPaused(), 1e-9);
        assertEquals(1 / 0.25 * 30, s.incidentsPer30Days(), 1e-9, "1 incident in a quarter of a day");
        PlanScore twice = PlanScore.of(List.of(new PausePlanner.Window(at("01:00"), at("03:00"), false)), trace(), START, END,
                10, HOUR);
        assertEquals(1, twice.incidents(), "one pause over four busy samples is one incident");
        assertEquals(4, twice.busyPaused());
    }

    @Test
    void neverPausingCapturesNothingAndAnAlwaysBusyTraceHasNothingToCapture() {
        PlanScore never = PlanScore.of(List.of(), trace(), START, END, 10, HOUR);
        assertEquals(0, never.idleCapture());
        assertEquals(0, never.incidents());
        List<Sample> busy = trace().stream().map(s -> new Sample(s.at(), 90)).toList();
        PlanScore all = PlanScore.of(List.of(new PausePlanner.Window(START, END, false)), busy, START, END, 10, HOUR);
        assertEquals(0, all.idleRunHours());
        assertEquals(0, all.idleCapture());
        assertEquals(1, all.incidents());
        assertEquals(6, all.busyHoursPaused(), 1e-9);
    }

    @Test
    void theBacktestWritesItsWindowsAsCsv() {
        assertEquals("start,end\n2024-03-04T00:30:00Z,2024-03-04T02:00:00Z\n2024-03-04T03:00:00Z,2024-03-04T05:00:00Z\n",
                Backtest.windowsCsv(PLAN));
    }

    @Test
    void theFixedScheduleIsWeekdayNightsAndWholeWeekends() {
        Instant monday = START;
        List<PausePlanner.Window> w = Baselines.fixedSchedule(monday, monday.plus(Duration.ofDays(7)), java.time.ZoneOffset.UTC);
        assertEquals(new PausePlanner.Window(monday, at("08:00"), false), w.get(0));
        assertEquals(new PausePlanner.Window(at("20:00"), at("08:00").plus(Duration.ofDays(1)), false), w.get(1));
        // Friday 20:00 to the end (Monday 00:00)
        assertEquals(new PausePlanner.Window(at("20:00").plus(Duration.ofDays(4)), monday.plus(Duration.ofDays(7)), true),
                w.get(w.size() - 1));
        assertEquals(6, w.size());
        double hours = PlanScore.of(w, List.of(), monday, monday.plus(Duration.ofDays(7)), 10, HOUR).pausedHours();
        assertEquals(8 + 4 * 12 + 4 + 48, hours, 1e-9);
    }

    @Test
    void sameSlotLastWeekRepeatsLastWeek() {
        List<Sample> week = new ArrayList<>();
        for (Instant t = START; t.isBefore(START.plus(Duration.ofDays(7))); t = t.plus(Forecaster.STEP)) {
            week.add(new Sample(t, t.equals(at("01:00")) ? 50 : 1));
        }
        List<ForecastPoint> f = new Baselines.SameSlotLastWeek().forecast("c", week, START.plus(Duration.ofDays(7)),
                Duration.ofDays(1));
        assertEquals(288, f.size());
        assertEquals(50, f.get(12).upper());
        assertEquals(1, f.get(13).upper());
    }
}
