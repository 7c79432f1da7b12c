package io.shiftwork.pauseresume;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import org.apache.commons.math3.stat.descriptive.rank.Percentile;
import org.apache.commons.math3.stat.descriptive.rank.Percentile.EstimationType;

/**
 * The built-in forecaster: a seasonal model with weekly and daily cycles, trained in-process. For each future
 * 5-minute slot it gathers what the history did at the same time of the week (±{@code neighbours} slots, every
 * past week); with less than a week of history, at the same time of day over the last days. The forecast is the
 * median of those values, with the {@code quantile} as its upper bound. Times of day and week are local to the
 * cluster's {@code zone}: office hours at 09:00 local stay at 09:00 across a daylight-saving change. No AWS service,
 * no cost. Pure.
 */
public class SeasonalForecaster implements Forecaster {

    static final int SLOTS_PER_DAY = 288;
    static final int SLOTS_PER_WEEK = 7 * SLOTS_PER_DAY;

    private final double quantile;
    private final int neighbours;
    private final int recentDays;
    private final boolean weeklyCycle;
    private final ZoneId zone;

    public SeasonalForecaster(double quantile, int neighbours, int recentDays) {
        this(quantile, neighbours, recentDays, true);
    }

    /** {@code weeklyCycle} false: always the daily cycle over the last {@code recentDays} days. */
    public SeasonalForecaster(double quantile, int neighbours, int recentDays, boolean weeklyCycle) {
        this(quantile, neighbours, recentDays, weeklyCycle, ZoneOffset.UTC);
    }

    /** {@code zone}: where the cluster's days and weeks are (its users' office hours). */
    public SeasonalForecaster(double quantile, int neighbours, int recentDays, boolean weeklyCycle, ZoneId zone) {
        if (quantile <= 0 || quantile > 1) {
            throw new IllegalArgumentException("quantile must be in (0, 1], got " + quantile);
        }
        this.quantile = quantile;
        this.neighbours = neighbours;
        this.recentDays = recentDays;
        this.weeklyCycle = weeklyCycle;
        this.zone = zone;
    }

    public SeasonalForecaster() {
        this(0.95, 3, 7);
    }

    static long slot(Instant t) {
        return Math.floorDiv(t.getEpochSecond(), STEP.toSeconds());
    }

    /** The slot on the local wall clock: the same local time of day falls in the same slot of the day and week. */
    long localSlot(Instant t) {
        return Math.floorDiv(t.getEpochSecond() + zone.getRules().getOffset(t).getTotalSeconds(), STEP.toSeconds());
    }

    @Override
    public List<ForecastPoint> forecast(String clusterId, List<Sample> history, Instant from, Duration horizon) {
        // bucket the history by slot of the week, keeping the absolute slot to tell recent days apart
        List<List<long[]>> byWeekSlot = new ArrayList<>(SLOTS_PER_WEEK);
        for (int i = 0; i < SLOTS_PER_WEEK; i++) {
            byWeekSlot.add(new ArrayList<>());
        }
        long firstSlot = Long.MAX_VALUE;
        for (Sample s : history) {
            if (!s.at().isBefore(from) || Double.isNaN(s.cpu())) {
                continue;
            }
            long abs = localSlot(s.at());
            firstSlot = Math.min(firstSlot, abs);
            byWeekSlot.get((int) Math.floorMod(abs, SLOTS_PER_WEEK)).add(new long[] { abs, Double.doubleToLongBits(s.cpu()) });
        }
        long start = localSlot(from);
        long first = slot(from);
        long count = horizon.toSeconds() / STEP.toSeconds();
        boolean weekly = weeklyCycle && firstSlot != Long.MAX_VALUE && start - firstSlot >= SLOTS_PER_WEEK;
        Percentile percentile = new Percentile().withEstimationType(EstimationType.R_7);
        List<ForecastPoint> out = new ArrayList<>((int) count);
        for (long k = 0; k < count; k++) {
            Instant at = Instant.ofEpochSecond((first + k) * STEP.toSeconds());
            long target = localSlot(at);
            double[] values = weekly ? weekly(byWeekSlot, target) : daily(byWeekSlot, target, start);
            if (values.length == 0) {
                // nothing known about this time: no forecast of idleness
                out.add(new ForecastPoint(at, Double.NaN, Double.POSITIVE_INFINITY));
                continue;
            }
            percentile.setData(values);
            out.add(new ForecastPoint(at, percentile.evaluate(50), percentile.evaluate(quantile * 100)));
        }
        return out;
    }

    private double[] weekly(List<List<long[]>> byWeekSlot, long target) {
        List<Double> values = new ArrayList<>();
        for (int d = -neighbours; d <= neighbours; d++) {
            for (long[] v : byWeekSlot.get((int) Math.floorMod(target + d, SLOTS_PER_WEEK))) {
                values.add(Double.longBitsToDouble(v[1]));
            }
        }
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private double[] daily(List<List<long[]>> byWeekSlot, long target, long start) {
        List<Double> values = new ArrayList<>();
        long oldest = start - (long) recentDays * SLOTS_PER_DAY;
        for (int day = 0; day < 7; day++) {
            for (int d = -neighbours; d <= neighbours; d++) {
                long s = target + d + (long) day * SLOTS_PER_DAY;
                for (long[] v : byWeekSlot.get((int) Math.floorMod(s, SLOTS_PER_WEEK))) {
                    if (v[0] >= oldest && v[0] < start) {
                        values.add(Double.longBitsToDouble(v[1]));
                    }
                }
            }
        }
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }
}
