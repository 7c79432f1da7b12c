package io.shiftwork.pauseresume;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;

import org.junit.jupiter.api.Test;

class TunedForecasterTest {

    private static final Instant START = Instant.parse("2024-03-04T00:00:00Z");
    private static final Duration HOUR = Duration.ofHours(1);

    private static List<Sample> trace(int days, Function<Instant, Double> cpu) {
        List<Sample> out = new ArrayList<>();
        for (Instant t = START; t.isBefore(START.plus(Duration.ofDays(days))); t = t.plus(Forecaster.STEP)) {
            out.add(new Sample(t, cpu.apply(t)));
        }
        return out;
    }

    private static TunedForecaster tuned() {
        return new TunedForecaster(10, HOUR, Duration.ofMinutes(15), 0.95, 0.01, 7);
    }

    private static List<PausePlanner.Window> plan(TunedForecaster f, List<Sample> history, Instant day) {
        return PausePlanner.plan(f.forecast("c", history, day, Duration.ofDays(1)), 10, HOUR, Duration.ofMinutes(15));
    }

    @Test
    void aRegularDayIsLearnedAndItsNightsArePaused() {
        List<Sample> history = trace(14, t -> {
            int h = t.atZone(ZoneOffset.UTC).getHour();
            return h >= 8 && h < 18 ? 60.0 : 2.0;
        });
        TunedForecaster f = tuned();
        Instant day = START.plus(Duration.ofDays(14));
        List<PausePlanner.Window> windows = plan(f, history, day);
        assertFalse(f.lastChoice().setting().never());
        assertEquals(0, f.lastChoice().validation().busyPaused());
        assertEquals(2, windows.size(), "the night before 08:00 and the evening after 18:00");
        assertTrue(!windows.get(0).resumeAt().isAfter(day.plus(Duration.ofHours(8)).minus(Duration.ofMinutes(15))),
                "resumed at least the resume lead before load returns: " + windows.get(0));
        assertTrue(!windows.get(1).pauseAt().isBefore(day.plus(Duration.ofHours(18))), "paused after the day's load: " + windows.get(1));
    }

    @Test
    void loadThatComesAtRandomTimesIsNotPaused() {
        SplittableRandom random = new SplittableRandom(7);
        boolean[] burst = new boolean[14 * 288];
        for (int i = 0; i < burst.length; i++) {
            if (random.nextInt(60) == 0) {
                for (int k = 0; k < 3 && i + k < burst.length; k++) {
                    burst[i + k] = true;
                }
            }
        }
        List<Sample> history = trace(14, t -> burst[(int) (Duration.between(START, t).toMinutes() / 5)] ? 70.0 : 2.0);
        TunedForecaster f = tuned();
        List<PausePlanner.Window> windows = plan(f, history, START.plus(Duration.ofDays(14)));
        assertTrue(f.lastChoice().setting().never(), "no setting kept bursts out of pauses: " + f.lastChoice());
        assertEquals(List.of(), windows);
    }

    @Test
    void anIdleClusterIsPausedAndShortHistoryOnlyWhereEveryDayWasIdle() {
        TunedForecaster f = tuned();
        assertEquals(1, plan(f, trace(14, t -> 0.5), START.plus(Duration.ofDays(14))).size());
        TunedForecaster young = tuned();
        assertEquals(1, plan(young, trace(3, t -> 0.5), START.plus(Duration.ofDays(3))).size(),
                "3 days of history, all idle: paused");
        assertEquals(null, young.lastChoice(), "nothing to replay the forecast on");
        TunedForecaster week = tuned();
        plan(week, trace(8, t -> 0.5), START.plus(Duration.ofDays(8)));
        assertEquals(null, week.lastChoice(), "5 days to replay: too few to count pauses into load on, still cautious");
        TunedForecaster weeks = tuned();
        plan(weeks, trace(10, t -> 0.5), START.plus(Duration.ofDays(10)));
        assertEquals(7, weeks.lastChoice().validationDays(), "7 days to replay: tuned");
        Instant blip = START.plus(Duration.ofDays(1)).plus(Duration.ofHours(3));
        List<PausePlanner.Window> cautious = plan(tuned(), trace(3, t -> t.equals(blip) ? 30.0 : 0.5), START.plus(Duration.ofDays(3)));
        Instant sameTime = START.plus(Duration.ofDays(3)).plus(Duration.ofHours(3));
        assertTrue(cautious.stream().noneMatch(w -> !sameTime.isBefore(w.pauseAt().minus(HOUR)) && sameTime.isBefore(w.resumeAt().plus(HOUR))),
                "little history: no pause within an hour of the time any known day was busy: " + cautious);
    }

    @Test
    void theGuardDefersAPauseWhileLoadRunsLateAndGivesUpWhenTooLittleIsLeft() {
        Instant pause = START.plus(Duration.ofHours(20));
        List<Sample> samples = trace(1, t -> t.isBefore(pause.plus(Duration.ofMinutes(40))) && !t.isBefore(pause.minus(HOUR)) ? 50.0 : 2.0);
        List<PausePlanner.Window> guarded = PlanScore.guarded(List.of(new PausePlanner.Window(pause, pause.plus(Duration.ofHours(3)), false)),
                samples, 10, HOUR);
        assertEquals(pause.plus(Duration.ofMinutes(40)).plus(Duration.ofMinutes(30)), guarded.get(0).pauseAt(),
                "paused once CPU had stayed low for the guard's 30 minutes");
        assertEquals(List.of(), PlanScore.guarded(List.of(new PausePlanner.Window(pause, pause.plus(Duration.ofMinutes(90)), false)),
                samples, 10, HOUR), "less than minPause left: skipped");

        PlanScore score = PlanScore.of(List.of(new PausePlanner.Window(pause, pause.plus(HOUR), false)), samples, START,
                START.plus(Duration.ofDays(1)), 10, HOUR);
        assertEquals(20, score.busy());
        assertEquals(8, score.busyPaused(), "the load running 40 minutes late");
    }

    @Test
    void aSettingThatPausedIntoLoadTooOftenIsNotChosen() {
        // busy 08:00-18:00, and one 11 % blip at a random night time every day: every night pause runs into load
        SplittableRandom random = new SplittableRandom(3);
        int[] blip = new int[14];
        for (int d = 0; d < 14; d++) {
            blip[d] = 19 * 12 + random.nextInt(12 * 12);
        }
        List<Sample> history = trace(14, t -> {
            int h = t.atZone(ZoneOffset.UTC).getHour();
            int slot = (int) (Duration.between(START, t).toMinutes() / 5);
            int day = slot / 288;
            return h >= 8 && h < 18 || slot % 288 == blip[day] % 288 ? 11.0 + (h >= 8 && h < 18 ? 50 : 0) : 2.0;
        });
        TunedForecaster f = tuned();
        plan(f, history, START.plus(Duration.ofDays(14)));
        assertTrue(f.lastChoice().validation().incidents() <= 7 / 14.0,
                "at most 1 pause into load per 14 days replayed: " + f.lastChoice());

        TunedForecaster daring = tuned().withMaxIncidents(14); // shiftwork.pause-resume.tuner.max-incidents=14
        plan(daring, history, START.plus(Duration.ofDays(14)));
        assertTrue(daring.lastChoice().validation().incidents() > 1 && daring.lastChoice().validation().capturedHours()
                > f.lastChoice().validation().capturedHours(), "a larger allowance buys capture with incidents: " + daring.lastChoice());
    }

    @Test
    void aBadMaxIncidentsNamesItsKey() {
        assertEquals(0.5, TunedForecaster.validMaxIncidents(0.5));
        for (double bad : new double[] { -1, Double.NaN, Double.POSITIVE_INFINITY }) {
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> tuned().withMaxIncidents(bad));
            assertTrue(e.getMessage().startsWith("shiftwork.pause-resume.tuner.max-incidents must be"), e.getMessage());
        }
    }

    @Test
    void aWorkloadThatStopsIsFollowedWithinDays() {
        Instant stop = START.plus(Duration.ofDays(14));
        List<Sample> history = trace(28, t -> {
            int h = t.atZone(ZoneOffset.UTC).getHour();
            return t.isBefore(stop) && h >= 8 && h < 18 ? 60.0 : 2.0;
        });
        int firstFullDay = -1;
        for (int d = 1; d <= 14 && firstFullDay < 0; d++) {
            Instant day = stop.plus(Duration.ofDays(d));
            List<PausePlanner.Window> w = plan(tuned(), history.stream().filter(s -> s.at().isBefore(day)).toList(), day);
            double hours = w.stream().mapToDouble(x -> Duration.between(x.pauseAt(), x.resumeAt()).toMinutes() / 60.0).sum();
            if (hours >= 23) {
                firstFullDay = d;
            }
        }
        System.out.println("stopped workload: first day paused through: " + firstFullDay);
        assertTrue(firstFullDay > 0 && firstFullDay <= 4, "paused through the day " + firstFullDay + " days after the load stopped");
    }
}
