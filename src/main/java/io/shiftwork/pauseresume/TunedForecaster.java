package io.shiftwork.pauseresume;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * The built-in forecaster, tuned per cluster by walk-forward validation: before each forecast it replays the
 * last days of the cluster's own history as production would (forecast a day from what came before, plan,
 * guard, score) for a few seasonal settings — weekly or daily cycle, how wide a time window counts as "the
 * same time", which upper quantile — and forecasts with the setting that captured most while keeping busy
 * samples inside pauses within {@code maxBusyWhilePaused}
 * (captured as {@link PlanScore} counts it: paused time inside idle runs of at least {@code minPause}). When no setting pauses at all within it, it
 * forecasts no idle time: a cluster whose load it cannot predict is not paused. Pure.
 */
public class TunedForecaster implements Forecaster {

    /** One candidate setting of the seasonal model; {@code never}: plan no pause at all. */
    public record Setting(boolean weekly, int neighbours, double quantile, boolean never) {

        SeasonalForecaster forecaster() {
            return new SeasonalForecaster(quantile, neighbours, 7, weekly);
        }

        @Override
        public String toString() {
            return never ? "never pause" : (weekly ? "weekly" : "daily") + " ±" + neighbours * 5 + " min q" + quantile;
        }
    }

    /** What the last validation chose and how it scored. */
    public record Choice(Setting setting, PlanScore validation, int validationDays) {
    }

    static final List<Setting> SETTINGS = settings();
    static final Setting NEVER = new Setting(false, 0, 1, true);

    private final double threshold;
    private final Duration minPause;
    private final Duration resumeLead;
    private final double maxBusyWhilePaused;
    private final int validationDays;
    private final Setting fallback;
    private volatile Choice last;

    public TunedForecaster(double threshold, Duration minPause, Duration resumeLead, double quantile,
            double maxBusyWhilePaused, int validationDays) {
        this.threshold = threshold;
        this.minPause = minPause;
        this.resumeLead = resumeLead;
        this.maxBusyWhilePaused = maxBusyWhilePaused;
        this.validationDays = validationDays;
        this.fallback = new Setting(true, 3, quantile, false);
    }

    private static List<Setting> settings() {
        List<Setting> out = new ArrayList<>();
        for (boolean weekly : new boolean[] { true, false }) {
            for (int neighbours : new int[] { 3, 6, 12 }) {
                for (double q : new double[] { 0.9, 0.95, 1.0 }) {
                    out.add(new Setting(weekly, neighbours, q, false));
                }
            }
        }
        return List.copyOf(out);
    }

    public Choice lastChoice() {
        return last;
    }

    @Override
    public List<ForecastPoint> forecast(String clusterId, List<Sample> history, Instant from, Duration horizon) {
        List<Sample> known = history.stream().filter(s -> s.at().isBefore(from) && !Double.isNaN(s.cpu())).toList();
        Setting chosen = fallback;
        if (!known.isEmpty()) {
            Instant firstDay = known.get(0).at().truncatedTo(ChronoUnit.DAYS).plus(Duration.ofDays(1));
            Instant end = from.truncatedTo(ChronoUnit.DAYS);
            int days = (int) Math.min(validationDays, Duration.between(firstDay, end).toDays() - 2);
            if (days >= 2) {
                chosen = choose(clusterId, known, end.minus(Duration.ofDays(days)), end, days);
            }
        }
        List<ForecastPoint> forecast = chosen.never() ? fallback.forecaster().forecast(clusterId, known, from, horizon)
                : chosen.forecaster().forecast(clusterId, known, from, horizon);
        if (chosen.never()) {
            return forecast.stream().map(p -> new ForecastPoint(p.at(), p.mean(), Double.POSITIVE_INFINITY)).toList();
        }
        return forecast;
    }

    private Setting choose(String clusterId, List<Sample> known, Instant validateFrom, Instant validateTo, int days) {
        PlanScore[] scores = new PlanScore[SETTINGS.size()];
        java.util.Arrays.fill(scores, PlanScore.EMPTY);
        for (Instant day = validateFrom; day.isBefore(validateTo); day = day.plus(Duration.ofDays(1))) {
            Instant d = day;
            List<Sample> before = known.stream().filter(x -> x.at().isBefore(d)).toList();
            for (int k = 0; k < scores.length; k++) {
                List<PausePlanner.Window> windows = PlanScore.guarded(PausePlanner.plan(SETTINGS.get(k).forecaster()
                        .forecast(clusterId, before, day, Duration.ofDays(1)), threshold, minPause, resumeLead), known, threshold, minPause);
                scores[k] = scores[k].plus(PlanScore.of(windows, known, day, day.plus(Duration.ofDays(1)), threshold, minPause));
            }
        }
        Setting best = NEVER;
        PlanScore bestScore = PlanScore.EMPTY;
        for (int k = 0; k < scores.length; k++) {
            boolean safe = scores[k].busyWhilePaused() <= maxBusyWhilePaused && scores[k].capturedHours() > 0;
            if (safe && scores[k].capturedHours() > bestScore.capturedHours()) {
                best = SETTINGS.get(k);
                bestScore = scores[k];
            }
        }
        last = new Choice(best, bestScore, days);
        return best;
    }
}
