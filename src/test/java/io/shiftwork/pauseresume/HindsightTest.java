package io.shiftwork.pauseresume;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class HindsightTest {

    private static final Instant START = Instant.parse("2024-03-04T00:00:00Z");
    private static final Duration HOUR = Duration.ofHours(1);
    private static final Duration LEAD = Duration.ofMinutes(15);

    /** Busy 08:00–18:00, idle otherwise except one 5-minute spike at 02:00 every night. */
    private static List<Sample> officeWithNightlySpike(int days) {
        List<Sample> out = new ArrayList<>();
        for (Instant t = START; t.isBefore(START.plus(Duration.ofDays(days))); t = t.plus(Forecaster.STEP)) {
            ZonedDateTime z = t.atZone(ZoneOffset.UTC);
            boolean busy = z.getHour() >= 8 && z.getHour() < 18 || z.getHour() == 2 && z.getMinute() == 0;
            out.add(new Sample(t, busy ? 60 : 2));
        }
        return out;
    }

    @Test
    void withoutBudgetThePausesStopForEverySpike() {
        List<Sample> trace = officeWithNightlySpike(2);
        Hindsight.Bound b = Hindsight.bound(trace, START, START.plus(Duration.ofDays(2)), 10, HOUR, LEAD, 0);
        // idle runs 2 h, 5 h 55, 8 h, 5 h 55, 6 h (27 h 50); each pause starts 30 min into its run and resumes
        // 15 min before its end, except the last, open one: 75 + 310 + 435 + 310 + 330 minutes
        assertEquals(1460 / 60.0 / (27 + 50 / 60.0), b.idleCapture(), 1e-9);
        assertEquals(0, b.busyPaused());
        assertEquals(242, b.busy());
    }

    @Test
    void aBudgetOfTwoBusySamplesPausesThroughBothSpikes() {
        List<Sample> trace = officeWithNightlySpike(2);
        Hindsight.Bound b = Hindsight.bound(trace, START, START.plus(Duration.ofDays(2)), 10, HOUR, LEAD, 0.01);
        // 00:30–07:45 and 18:30–07:45 instead of four pauses: 435 + 795 + 330 minutes paused, of which the two
        // 5-minute spikes are not captured: 430 + 790 + 330
        assertEquals(2, b.busyAllowed());
        assertEquals(2, b.busyPaused());
        assertEquals(1550 / 60.0 / (27 + 50 / 60.0), b.idleCapture(), 1e-9);
        assertEquals(3, b.windows().size());
        assertEquals(2, b.score().incidents(), "each pause through a spike is a pause into load");
        assertEquals(1560 / 60.0, b.score().pausedHours(), 1e-9);
    }

    @Test
    void noForecasterBeatsTheBound() {
        List<Sample> trace = officeWithNightlySpike(14);
        Backtest.Result r = Backtest.run("spiky", trace, new SeasonalForecaster(), 10, HOUR, LEAD, 7, 1, 1, 0.01);
        assertTrue(r.idleCapture() <= r.hindsightCapture() + 1e-9 || r.busyWhilePaused() > 0.01,
                "a plan within the budget captured more than hindsight allows: " + r.json());
        assertTrue(r.hindsightCapture() > 0.9, r.json());
    }
}
