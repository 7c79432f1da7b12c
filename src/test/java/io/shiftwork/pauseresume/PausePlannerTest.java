package io.shiftwork.pauseresume;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class PausePlannerTest {

    private static final Instant T0 = Instant.parse("2026-11-23T00:00:00Z");

    /** One point per 5 minutes with the given upper values. */
    private static List<ForecastPoint> forecast(double... uppers) {
        List<ForecastPoint> out = new ArrayList<>();
        for (int i = 0; i < uppers.length; i++) {
            out.add(new ForecastPoint(T0.plus(Forecaster.STEP.multipliedBy(i)), uppers[i] / 2, uppers[i]));
        }
        return out;
    }

    private static double[] repeat(double v, int n) {
        double[] a = new double[n];
        java.util.Arrays.fill(a, v);
        return a;
    }

    private static double[] concat(double[]... parts) {
        return java.util.Arrays.stream(parts).flatMapToDouble(java.util.Arrays::stream).toArray();
    }

    @Test
    void aWindowIsARunBelowTheThresholdResumedTheLeadBeforeItEnds() {
        List<PausePlanner.Window> w = PausePlanner.plan(forecast(concat(repeat(50, 12), repeat(3, 36), repeat(50, 12))), 10,
                Duration.ofHours(1), Duration.ofMinutes(15));
        assertEquals(1, w.size());
        assertEquals(T0.plus(Duration.ofHours(1)), w.get(0).pauseAt());
        assertEquals(T0.plus(Duration.ofHours(4)).minus(Duration.ofMinutes(15)), w.get(0).resumeAt());
    }

    @Test
    void theUpperQuantileNotTheMeanDecides() {
        // mean (upper / 2) is below 10 everywhere, the upper quantile is not: no pause
        assertEquals(List.of(), PausePlanner.plan(forecast(repeat(15, 48)), 10, Duration.ofHours(1), Duration.ofMinutes(15)));
    }

    @Test
    void theThresholdIsStrict() {
        assertEquals(0, PausePlanner.plan(forecast(repeat(10, 48)), 10, Duration.ofHours(1), Duration.ZERO).size());
        assertEquals(1, PausePlanner.plan(forecast(repeat(9.99, 48)), 10, Duration.ofHours(1), Duration.ZERO).size());
    }

    @Test
    void runsShorterThanTheMinimumPauseAreNotWindows() {
        double[] shortIdle = concat(repeat(50, 6), repeat(2, 11), repeat(50, 6), repeat(2, 12), repeat(50, 6));
        List<PausePlanner.Window> w = PausePlanner.plan(forecast(shortIdle), 10, Duration.ofHours(1), Duration.ZERO);
        assertEquals(1, w.size(), "55 minutes is too short, 60 minutes is enough");
        assertEquals(T0.plus(Forecaster.STEP.multipliedBy(23)), w.get(0).pauseAt());
    }

    @Test
    void noWindowIsShorterThanTheMinimumPauseOnceTheResumeLeadIsTakenOff() {
        // idle runs of 60, 70 and 75 minutes; with a 15-minute lead only the 75-minute run leaves a 60-minute pause
        double[] idle = concat(repeat(50, 6), repeat(2, 12), repeat(50, 6), repeat(2, 14), repeat(50, 6), repeat(2, 15),
                repeat(50, 6));
        List<PausePlanner.Window> w = PausePlanner.plan(forecast(idle), 10, Duration.ofHours(1), Duration.ofMinutes(15));
        assertEquals(1, w.size(), "a 60- or 70-minute run would give a 45- or 55-minute pause: " + w);
        assertEquals(T0.plus(Forecaster.STEP.multipliedBy(44)), w.get(0).pauseAt());
        assertEquals(Duration.ofHours(1), Duration.between(w.get(0).pauseAt(), w.get(0).resumeAt()));
        for (int minutes = 5; minutes <= 180; minutes += 5) {
            double[] run = concat(repeat(50, 6), repeat(2, minutes / 5), repeat(50, 6));
            for (PausePlanner.Window x : PausePlanner.plan(forecast(run), 10, Duration.ofHours(1), Duration.ofMinutes(15))) {
                assertTrue(Duration.between(x.pauseAt(), x.resumeAt()).compareTo(Duration.ofHours(1)) >= 0,
                        minutes + "-minute run planned " + x);
            }
        }
    }

    @Test
    void aRunReachingTheEndOfTheForecastStaysOpen() {
        List<PausePlanner.Window> w = PausePlanner.plan(forecast(concat(repeat(50, 12), repeat(1, 24))), 10,
                Duration.ofHours(1), Duration.ofMinutes(15));
        assertTrue(w.get(0).open());
        assertEquals(T0.plus(Duration.ofHours(3)), w.get(0).resumeAt(), "no resume lead: the next plan decides");
    }

    @Test
    void unknownTimesAreNeverIdle() {
        List<ForecastPoint> f = new ArrayList<>(forecast(repeat(1, 24)));
        f.set(12, new ForecastPoint(f.get(12).at(), Double.NaN, Double.POSITIVE_INFINITY));
        List<PausePlanner.Window> w = PausePlanner.plan(f, 10, Duration.ofHours(1), Duration.ZERO);
        assertEquals(1, w.size(), "the unknown slot splits the run; the 55 minutes after it are too short");
        assertEquals(T0, w.get(0).pauseAt());
        assertEquals(T0.plus(Duration.ofHours(1)), w.get(0).resumeAt());
    }

    @Test
    void aWindowEndsTheLeadBeforeAPipelinesFireTimeAndIsDroppedWhenTooShort() {
        List<PausePlanner.Window> w = List.of(new PausePlanner.Window(T0, T0.plus(Duration.ofHours(8)), false),
                new PausePlanner.Window(T0.plus(Duration.ofHours(10)), T0.plus(Duration.ofHours(11)), false),
                new PausePlanner.Window(T0.plus(Duration.ofHours(12)), T0.plus(Duration.ofHours(24)), true));
        Instant etl = T0.plus(Duration.ofHours(3));
        Instant etl2 = T0.plus(Duration.ofHours(10).plusMinutes(30));
        List<PausePlanner.Window> cut = PausePlanner.avoid(w, List.of(etl, etl2), Duration.ofHours(1), Duration.ofMinutes(15));
        assertEquals(List.of(new PausePlanner.Window(T0, etl.minus(Duration.ofMinutes(15)), false),
                new PausePlanner.Window(T0.plus(Duration.ofHours(12)), T0.plus(Duration.ofHours(24)), true)), cut,
                "cut before the 03:00 run; the 10:00 window leaves 15 min before the 10:30 run: dropped");
        assertEquals(w, PausePlanner.avoid(w, List.of(T0.plus(Duration.ofHours(8)).plus(Duration.ofMinutes(15))),
                Duration.ofHours(1), Duration.ofMinutes(15)), "a run the lead after the resume changes nothing");
    }

    @Test
    void eachGuardStopsAPause() {
        Guards.ClusterNow ok = new Guards.ClusterNow("available", "Available", false, 2.0, 0.0, 0);
        assertEquals(Optional.empty(), Guards.check(ok, 10, 0));
        assertTrue(Guards.check(new Guards.ClusterNow("modifying", "Modifying", false, 2.0, 0.0, 0), 10, 0).orElseThrow().contains("modifying"));
        assertTrue(Guards.check(new Guards.ClusterNow("available", "Maintenance", false, 2.0, 0.0, 0), 10, 0).orElseThrow().contains("Maintenance"));
        assertTrue(Guards.check(new Guards.ClusterNow("available", "Available", true, 2.0, 0.0, 0), 10, 0).orElseThrow().contains("pending"));
        assertTrue(Guards.check(new Guards.ClusterNow("available", "Available", false, 35.0, 0.0, 0), 10, 0).orElseThrow().contains("CPU reached 35.0% in the last 30 minutes"));
        assertTrue(Guards.check(new Guards.ClusterNow("available", "Available", false, 2.0, 4.0, 0), 10, 1).orElseThrow().contains("4 database connections"));
        assertTrue(Guards.check(new Guards.ClusterNow("available", "Available", false, 2.0, 0.0, 2), 10, 0).orElseThrow().contains("2 Shiftwork statement"));
        assertTrue(Guards.check(new Guards.ClusterNow("available", null, false, null, 0.0, 0), 10, 0).orElseThrow()
                .contains("no CPUUtilization datapoint"), "fails closed: no CPU datapoint, no pause");
        assertTrue(Guards.check(new Guards.ClusterNow("available", null, false, 2.0, null, 0), 10, 0).orElseThrow()
                .contains("no DatabaseConnections datapoint"), "fails closed: no connections datapoint, no pause");
        assertTrue(Guards.check(new Guards.ClusterNow("available", null, false, 2.0, 0.0, null), 10, 0).orElseThrow()
                .contains("ListStatements failed"), "fails closed: a failed ListStatements is not 'nothing running'");
    }

    @Test
    void theForecasterLearnsTheWeekAndGivesAnUpperQuantile() {
        // two weeks: busy (40 %) 09-17 on the first five days of each week, idle (3 %) otherwise
        List<Sample> history = new ArrayList<>();
        Instant start = Instant.parse("2026-11-02T00:00:00Z");
        for (int i = 0; i < 14 * 288; i++) {
            Instant t = start.plus(Forecaster.STEP.multipliedBy(i));
            int day = i / 288 % 7;
            int hour = i % 288 / 12;
            history.add(new Sample(t, day < 5 && hour >= 9 && hour < 17 ? 40 + (i % 3) : 3 + (i % 2)));
        }
        Instant monday = start.plus(Duration.ofDays(14));
        List<ForecastPoint> f = new SeasonalForecaster().forecast("c", history, monday, Duration.ofDays(7));
        assertEquals(7 * 288, f.size());
        ForecastPoint mondayNoon = f.get(12 * 12);
        ForecastPoint saturdayNoon = f.get(5 * 288 + 12 * 12);
        assertTrue(mondayNoon.upper() >= 40, "weekday office hours are busy: " + mondayNoon);
        assertTrue(saturdayNoon.upper() < 5, "the weekend is idle: " + saturdayNoon);
        assertTrue(mondayNoon.upper() >= mondayNoon.mean());
        List<PausePlanner.Window> windows = PausePlanner.plan(f, 10, Duration.ofHours(1), Duration.ofMinutes(15));
        assertTrue(windows.stream().anyMatch(w -> w.pauseAt().isBefore(monday.plus(Duration.ofDays(5)).plusSeconds(1))
                && w.resumeAt().isAfter(monday.plus(Duration.ofDays(6)))), "a pause through the weekend: " + windows);
    }
}
