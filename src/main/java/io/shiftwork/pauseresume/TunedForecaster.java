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

    /**
     * One candidate setting of the seasonal model ({@code weekly} with {@code neighbours} 0: the slot-of-week profile);
     * {@code never}: plan no pause at all.
     */
    public record Setting(boolean weekly, int neighbours, double quantile, boolean never, int recentDays) {

        Setting(boolean weekly, int neighbours, double quantile, boolean never) {
            this(weekly, neighbours, quantile, never, 7);
        }

        SeasonalForecaster forecaster() {
            return forecaster(java.time.ZoneOffset.UTC);
        }

        SeasonalForecaster forecaster(java.time.ZoneId zone) {
            return new SeasonalForecaster(quantile, neighbours, recentDays, weekly, zone);
        }

        @Override
        public String toString() {
            if (never) {
                return "never pause";
            }
            if (weekly && neighbours == 0) {
                return "slot-of-week q" + quantile;
            }
            return (weekly ? "weekly" : "daily") + (recentDays != 7 ? " over " + recentDays + " days" : "") + " ±"
                    + neighbours * 5 + " min q" + quantile;
        }
    }

    /** What the last validation chose and how it scored. */
    public record Choice(Setting setting, PlanScore validation, int validationDays) {
    }

    static final boolean RECENT_SETTINGS = Boolean.parseBoolean(System.getProperty("tuner.recent", "true"));
    static final List<Setting> SETTINGS = settings();
    /** Pauses into load a setting may have had, per 14 days replayed, by default (the risk target). */
    static final double MAX_INCIDENTS_PER_14_DAYS = 1;
    /**
     * Days replayed before a setting may be chosen: fewer cannot tell a setting that pauses into load once a week from
     * one that never does (the risk target is 1 per 14 days), so until then the cautious setting plans.
     */
    static final int MIN_VALIDATION_DAYS = 7;
    /** With too little history to replay: the highest CPU of every day known, ±60 minutes. */
    static final Setting CAUTIOUS = new Setting(false, 12, 1.0, false);
    static final Setting NEVER = new Setting(false, 0, 1, true);

    private final double threshold;
    private final Duration minPause;
    private final Duration resumeLead;
    private final double maxBusyWhilePaused;
    private final int validationDays;
    private final Setting fallback;
    private volatile Choice last;
    private java.time.ZoneId zone = java.time.ZoneOffset.UTC;
    private double maxIncidentsPer14Days = MAX_INCIDENTS_PER_14_DAYS;

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
        // the per-slot-of-week profile (Baselines' p90, and its maximum): the same 5-minute slot of every past week only,
        // for a weekly rhythm sharper than ±15 minutes (a job at the same minute each week)
        for (double q : new double[] { 0.9, 1.0 }) {
            out.add(new Setting(true, 0, q, false));
        }
        if (RECENT_SETTINGS) {
            // the last 2 days only: follows a rhythm that changes (a workload that stops) within days
            for (int neighbours : new int[] { 3, 12 }) {
                out.add(new Setting(false, neighbours, 1.0, false, 2));
            }
        }
        return List.copyOf(out);
    }

    /** Days and weeks in the cluster's time zone (default UTC). */
    public TunedForecaster inZone(java.time.ZoneId z) {
        this.zone = z;
        return this;
    }

    /** At most this many pauses into load per 14 days replayed ({@code shiftwork.pause-resume.tuner.max-incidents}). */
    public TunedForecaster withMaxIncidents(double per14Days) {
        this.maxIncidentsPer14Days = validMaxIncidents(per14Days);
        return this;
    }

    /** The value of {@code shiftwork.pause-resume.tuner.max-incidents}, or an error naming the key. */
    static double validMaxIncidents(double per14Days) {
        if (!(per14Days >= 0) || Double.isInfinite(per14Days)) {
            throw new IllegalArgumentException("shiftwork.pause-resume.tuner.max-incidents must be a number of pauses into "
                    + "load per 14 days, at least 0 (default 1), got " + per14Days);
        }
        return per14Days;
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
            if (days >= Math.max(2, Math.min(validationDays, MIN_VALIDATION_DAYS))) {
                chosen = choose(clusterId, known, end.minus(Duration.ofDays(days)), end, days);
            } else {
                // too little history to replay (or to count pauses into load on): pause only where every day known was
                // idle for an hour around
                chosen = CAUTIOUS;
            }
        }
        List<ForecastPoint> forecast = chosen.never() ? fallback.forecaster(zone).forecast(clusterId, known, from, horizon)
                : chosen.forecaster(zone).forecast(clusterId, known, from, horizon);
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
                List<PausePlanner.Window> windows = PlanScore.guarded(PausePlanner.plan(SETTINGS.get(k).forecaster(zone)
                        .forecast(clusterId, before, day, Duration.ofDays(1)), threshold, minPause, resumeLead), known, threshold, minPause);
                scores[k] = scores[k].plus(PlanScore.of(windows, known, day, day.plus(Duration.ofDays(1)), threshold, minPause));
            }
        }
        Setting best = NEVER;
        PlanScore bestScore = PlanScore.EMPTY;
        for (int k = 0; k < scores.length; k++) {
            // risk as users feel it too: at most maxIncidentsPer14Days pauses into load, pro rata over the days replayed
            boolean safe = scores[k].busyWhilePaused() <= maxBusyWhilePaused && scores[k].capturedHours() > 0
                    && scores[k].incidents() <= maxIncidentsPer14Days * days / 14.0;
            if (safe && scores[k].capturedHours() > bestScore.capturedHours()) {
                best = SETTINGS.get(k);
                bestScore = scores[k];
            }
        }
        last = new Choice(best, bestScore, days);
        return best;
    }
}
