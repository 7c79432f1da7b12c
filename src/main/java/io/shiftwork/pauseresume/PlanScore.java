package io.shiftwork.pauseresume;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * How a pause plan fares against what happened: busy 5-minute samples (CPU at or above the threshold), those
 * that fell inside a pause, hours inside idle runs of at least {@code minPause}, hours paused. Also simulates
 * the executor's CPU guard. Used by the backtest and by {@link TunedForecaster}'s validation. Pure.
 */
public record PlanScore(long busy, long busyPaused, double idleRunHours, double pausedHours, double hours, int windows) {

    public static final PlanScore EMPTY = new PlanScore(0, 0, 0, 0, 0, 0);

    /** Paused hours / hours inside idle runs ≥ minPause; 1 when there was nothing to capture and nothing paused. */
    public double idleCapture() {
        return idleRunHours == 0 ? (pausedHours == 0 ? 1 : 0) : pausedHours / idleRunHours;
    }

    /** Busy samples inside a pause / all busy samples. */
    public double busyWhilePaused() {
        return busy == 0 ? 0 : (double) busyPaused / busy;
    }

    public PlanScore plus(PlanScore o) {
        return new PlanScore(busy + o.busy, busyPaused + o.busyPaused, idleRunHours + o.idleRunHours,
                pausedHours + o.pausedHours, hours + o.hours, windows + o.windows);
    }

    /** Scores {@code windows} against the samples in [from, to) ({@code samples} sorted by time). */
    public static PlanScore of(List<PausePlanner.Window> windows, List<Sample> samples, Instant from, Instant to,
            double threshold, Duration minPause) {
        double step = Forecaster.STEP.toMinutes() / 60.0;
        long busy = 0;
        long busyPaused = 0;
        double idleRunHours = 0;
        int run = 0;
        Instant previous = null;
        for (Sample s : samples) {
            if (s.at().isBefore(from) || !s.at().isBefore(to)) {
                continue;
            }
            boolean isBusy = s.cpu() >= threshold;
            if (isBusy) {
                busy++;
                if (paused(windows, s.at()) != null) {
                    busyPaused++;
                }
            }
            boolean contiguous = previous != null && Duration.between(previous, s.at()).compareTo(Forecaster.STEP.multipliedBy(2)) < 0;
            if (!isBusy && contiguous) {
                run++;
            } else {
                idleRunHours += runHours(run, minPause, step);
                run = isBusy ? 0 : 1;
            }
            previous = s.at();
        }
        idleRunHours += runHours(run, minPause, step);
        double pausedHours = 0;
        for (PausePlanner.Window w : windows) {
            Instant a = w.pauseAt().isBefore(from) ? from : w.pauseAt();
            Instant b = w.resumeAt().isAfter(to) ? to : w.resumeAt();
            if (b.isAfter(a)) {
                pausedHours += Duration.between(a, b).toMinutes() / 60.0;
            }
        }
        return new PlanScore(busy, busyPaused, idleRunHours, pausedHours, Duration.between(from, to).toMinutes() / 60.0,
                windows.size());
    }

    private static double runHours(int samples, Duration minPause, double step) {
        double hours = samples * step;
        return hours * 60 >= minPause.toMinutes() ? hours : 0;
    }

    /** The window holding {@code t}, if any. */
    public static PausePlanner.Window paused(List<PausePlanner.Window> windows, Instant t) {
        for (PausePlanner.Window w : windows) {
            if (!t.isBefore(w.pauseAt()) && t.isBefore(w.resumeAt())) {
                return w;
            }
        }
        return null;
    }

    /**
     * The executor's CPU guard as production runs it: right before a pause every datapoint of the last 30
     * minutes must be below the threshold; while it is not, the pause waits for the next tick, and is given up
     * when less than {@code minPause} of the window would remain.
     */
    public static List<PausePlanner.Window> guarded(List<PausePlanner.Window> windows, List<Sample> samples, double threshold,
            Duration minPause) {
        List<PausePlanner.Window> out = new ArrayList<>();
        for (PausePlanner.Window w : windows) {
            Instant at = w.pauseAt();
            while (true) {
                Double cpu = highest(samples, at, Guards.CPU_LOOKBACK);
                if (cpu == null || cpu < threshold) {
                    out.add(new PausePlanner.Window(at, w.resumeAt(), w.open()));
                    break;
                }
                at = at.plus(Forecaster.STEP);
                if (!at.isBefore(w.resumeAt()) || !w.open() && Duration.between(at, w.resumeAt()).compareTo(minPause) < 0) {
                    break;
                }
            }
        }
        return out;
    }

    /** The highest datapoint in [before - within, before), null when there is none. */
    private static Double highest(List<Sample> samples, Instant before, Duration within) {
        int i = latestIndex(samples, before);
        Double max = null;
        for (; i >= 0 && !samples.get(i).at().isBefore(before.minus(within)); i--) {
            max = max == null ? samples.get(i).cpu() : Math.max(max, samples.get(i).cpu());
        }
        return max;
    }

    private static int latestIndex(List<Sample> samples, Instant before) {
        int lo = 0;
        int hi = samples.size() - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (samples.get(mid).at().isBefore(before)) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found;
    }

}
