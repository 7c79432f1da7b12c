package io.shiftwork.local.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import io.shiftwork.pauseresume.ForecastPoint;
import io.shiftwork.pauseresume.PausePlanner;
import io.shiftwork.pauseresume.Sample;
import io.shiftwork.pauseresume.TunedForecaster;

/** The demo cluster's generated load (plain JUnit). */
class OfficeHoursLoadTest {

    private static final Instant END = Instant.parse("2026-11-30T23:37:12Z");

    @Test
    void twentyEightDaysOfFiveMinutePointsEndingBeforeNow() {
        List<OfficeHoursLoad.Point> points = OfficeHoursLoad.history(END, 28, OfficeHoursLoad.SEED);
        assertEquals(28 * 288, points.size());
        assertEquals(Instant.parse("2026-11-30T23:35:00Z"), points.get(points.size() - 1).at());
        assertEquals(Instant.parse("2026-11-02T23:40:00Z"), points.get(0).at());
        for (int i = 1; i < points.size(); i++) {
            assertEquals(Duration.ofMinutes(5), Duration.between(points.get(i - 1).at(), points.get(i).at()));
        }
    }

    @Test
    void anInstantHasTheSameLoadWhateverTheEndOfTheHistory() {
        List<OfficeHoursLoad.Point> a = OfficeHoursLoad.history(END, 28, OfficeHoursLoad.SEED);
        List<OfficeHoursLoad.Point> b = OfficeHoursLoad.history(END.plus(Duration.ofHours(7)), 28, OfficeHoursLoad.SEED);
        Map<Instant, OfficeHoursLoad.Point> byInstant = b.stream().collect(Collectors.toMap(OfficeHoursLoad.Point::at, p -> p));
        a.stream().filter(p -> byInstant.containsKey(p.at())).forEach(p -> assertEquals(p, byInstant.get(p.at())));
        assertFalse(a.equals(OfficeHoursLoad.history(END, 28, OfficeHoursLoad.SEED + 1)), "another seed, another load");
    }

    @Test
    void busyOnWeekdayOfficeHoursIdleNightsAndWeekendsWithAFewSpikes() {
        List<OfficeHoursLoad.Point> points = OfficeHoursLoad.history(END, 28, OfficeHoursLoad.SEED);
        List<OfficeHoursLoad.Point> office = points.stream().filter(officeHours()).toList();
        List<OfficeHoursLoad.Point> off = points.stream().filter(officeHours().negate()).toList();
        assertEquals(20 * 120, office.size(), "20 weekdays of 10 hours");
        assertTrue(office.stream().allMatch(p -> p.cpu() > 20 && p.connections() > 0), "busy all office hours");
        long idle = off.stream().filter(p -> p.cpu() < 10 && p.connections() == 0).count();
        assertTrue(idle >= off.size() - 5 && idle < off.size(), "idle nights and weekends but for a rare spike: "
                + (off.size() - idle) + " busy of " + off.size());
        long spikes = office.stream().filter(p -> p.cpu() >= 85).count();
        assertTrue(spikes >= 10 && spikes <= 80, spikes + " spikes in office hours");
    }

    @Test
    void theTunedForecasterPlansThePauseOfTheComingNight() {
        List<Sample> history = OfficeHoursLoad.history(END, 28, OfficeHoursLoad.SEED).stream()
                .map(p -> new Sample(p.at(), p.cpu())).toList();
        TunedForecaster model = new TunedForecaster(10, Duration.ofHours(1), Duration.ofMinutes(15), 0.95, 0.01, 7);
        List<ForecastPoint> forecast = model.forecast("shiftwork-local", history, END, Duration.ofDays(1));
        List<PausePlanner.Window> windows = PausePlanner.plan(forecast, 10, Duration.ofHours(1), Duration.ofMinutes(15));
        assertFalse(windows.isEmpty(), "a plan with pauses: " + model.lastChoice());
        PausePlanner.Window night = windows.get(0);
        assertTrue(night.resumeAt().isAfter(Instant.parse("2026-12-01T07:00:00Z"))
                && !night.resumeAt().isAfter(Instant.parse("2026-12-01T08:00:00Z")), "resumed before Tuesday 08:00: " + night);
    }

    private static Predicate<OfficeHoursLoad.Point> officeHours() {
        return p -> {
            ZonedDateTime t = p.at().atZone(ZoneOffset.UTC);
            return t.getDayOfWeek() != DayOfWeek.SATURDAY && t.getDayOfWeek() != DayOfWeek.SUNDAY && t.getHour() >= 8
                    && t.getHour() < 18;
        };
    }
}
