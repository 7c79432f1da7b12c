package io.shiftwork.pauseresume;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What people would do instead of a forecaster, to compare it with on the same days. Pure.
 * <ul>
 * <li>{@link #fixedSchedule}: a cron — paused 20:00–08:00 on weekdays and all weekend, whatever the load;</li>
 * <li>{@link SameSlotLastWeek}: tomorrow is last week — a slot is idle when the same slot 7 days before was;</li>
 * <li>{@link #slotOfWeekP90()}: the 90th percentile of every past week at the same 5-minute slot of the week;</li>
 * <li>never pause: no window at all.</li>
 * </ul>
 */
public final class Baselines {

    private Baselines() {
    }

    /** Paused 20:00–08:00 every weekday night and from Friday 20:00 to Monday 08:00, in {@code zone}, within [from, to). */
    public static List<PausePlanner.Window> fixedSchedule(Instant from, Instant to, ZoneId zone) {
        List<PausePlanner.Window> out = new ArrayList<>();
        Instant pauseAt = null;
        for (ZonedDateTime h = from.atZone(zone); h.toInstant().isBefore(to); h = h.plusMinutes(Forecaster.STEP.toMinutes())) {
            DayOfWeek d = h.getDayOfWeek();
            boolean weekend = d == DayOfWeek.SATURDAY || d == DayOfWeek.SUNDAY;
            boolean off = weekend || h.getHour() >= 20 || h.getHour() < 8;
            if (off && pauseAt == null) {
                pauseAt = h.toInstant();
            } else if (!off && pauseAt != null) {
                out.add(new PausePlanner.Window(pauseAt, h.toInstant(), false));
                pauseAt = null;
            }
        }
        if (pauseAt != null) {
            out.add(new PausePlanner.Window(pauseAt, to, true));
        }
        return out;
    }

    /** The per-slot-of-week 90th percentile over every past week (the daily cycle while less than a week is known). */
    public static Forecaster slotOfWeekP90() {
        return new SeasonalForecaster(0.9, 0, 7, true);
    }

    /** Each slot forecast as what the same slot did 7 days before; unknown → busy. */
    public static final class SameSlotLastWeek implements Forecaster {

        @Override
        public List<ForecastPoint> forecast(String clusterId, List<Sample> history, Instant from, Duration horizon) {
            Map<Long, Double> byEpochSlot = new HashMap<>();
            Instant oldest = from.minus(Duration.ofDays(7));
            for (Sample s : history) {
                if (!s.at().isBefore(oldest) && s.at().isBefore(from) && !Double.isNaN(s.cpu())) {
                    byEpochSlot.merge(SeasonalForecaster.slot(s.at()), s.cpu(), Math::max);
                }
            }
            List<ForecastPoint> out = new ArrayList<>();
            long start = SeasonalForecaster.slot(from);
            long count = horizon.toSeconds() / STEP.toSeconds();
            for (long k = 0; k < count; k++) {
                Double v = byEpochSlot.get(start + k - SeasonalForecaster.SLOTS_PER_WEEK);
                Instant at = Instant.ofEpochSecond((start + k) * STEP.toSeconds());
                out.add(v == null ? new ForecastPoint(at, Double.NaN, Double.POSITIVE_INFINITY) : new ForecastPoint(at, v, v));
            }
            return out;
        }
    }
}
