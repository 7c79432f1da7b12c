package io.shiftwork.pauseresume;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * How a pause plan fares against what happened, the one scoring used by the backtest, the tuner
 * ({@link TunedForecaster}) and the hindsight bound ({@link Hindsight}) alike. Pure.
 * <ul>
 * <li>{@code busy}: busy 5-minute samples (CPU at or above the threshold); {@code busyPaused}: those inside a pause;</li>
 * <li>{@code idleRunHours}: hours inside idle runs (contiguous samples below the threshold) of at least {@code minPause};</li>
 * <li>{@code capturedHours}: paused hours inside those runs — time paused over busy samples or over shorter idle
 * gaps is not captured;</li>
 * <li>{@code pausedHours}: all paused hours (what is saved); {@code hours}: hours scored;</li>
 * <li>{@code incidents}: pauses during which the cluster would have been busy (at least one busy sample inside).</li>
 * </ul>
 * Also simulates the executor's CPU guard.
 */
public record PlanScore(long busy, long busyPaused, double idleRunHours, double capturedHours, double pausedHours,
        double hours, int windows, int incidents) {

    public static final PlanScore EMPTY = new PlanScore(0, 0, 0, 0, 0, 0, 0, 0);

    /** [start, end). */
    public record Interval(Instant start, Instant end) {

        public double hoursOverlapping(Instant a, Instant b) {
            Instant s = a.isAfter(start) ? a : start;
            Instant e = b.isBefore(end) ? b : end;
            return e.isAfter(s) ? Duration.between(s, e).toSeconds() / 3600.0 : 0;
        }
    }

    /** Captured hours / hours inside idle runs ≥ minPause; 0 when nothing was idle that long. */
    public double idleCapture() {
        return idleRunHours == 0 ? 0 : capturedHours / idleRunHours;
    }

    /** Busy samples inside a pause / all busy samples. */
    public double busyWhilePaused() {
        return busy == 0 ? 0 : (double) busyPaused / busy;
    }

    /** Hours the cluster was paused while it would have been busy (busy samples inside a pause × 5 min). */
    public double busyHoursPaused() {
        return busyPaused * Forecaster.STEP.toMinutes() / 60.0;
    }

    /** Pause-into-load incidents per 30 days of scored time. */
    public double incidentsPer30Days() {
        return hours == 0 ? 0 : incidents / (hours / 24) * 30;
    }

    public PlanScore plus(PlanScore o) {
        return new PlanScore(busy + o.busy, busyPaused + o.busyPaused, idleRunHours + o.idleRunHours,
                capturedHours + o.capturedHours, pausedHours + o.pausedHours, hours + o.hours, windows + o.windows,
                incidents + o.incidents);
    }

    /**
     * The idle runs in [from, to) ({@code samples} sorted by time) that last at least {@code minPause}: contiguous samples
     * below the threshold (a gap of two steps or more ends a run), each from its first sample to 5 minutes after its last.
     */
    public static List<Interval> idleRuns(List<Sample> samples, Instant from, Instant to, double threshold, Duration minPause) {
        List<Interval> out = new ArrayList<>();
        Instant runStart = null;
        Instant runEnd = null;
        for (Sample s : samples) {
            if (s.at().isBefore(from) || !s.at().isBefore(to)) {
                continue;
            }
            boolean idle = s.cpu() < threshold;
            boolean contiguous = runEnd != null && Duration.between(runEnd, s.at()).compareTo(Forecaster.STEP) < 0;
            if (runStart != null && (!idle || !contiguous)) {
                addRun(out, runStart, runEnd, to, minPause);
                runStart = null;
            }
            if (idle) {
                runStart = runStart == null ? s.at() : runStart;
                runEnd = s.at().plus(Forecaster.STEP);
            }
        }
        if (runStart != null) {
            addRun(out, runStart, runEnd, to, minPause);
        }
        return out;
    }

    private static void addRun(List<Interval> out, Instant start, Instant end, Instant to, Duration minPause) {
        Instant e = end.isAfter(to) ? to : end;
        if (Duration.between(start, e).compareTo(minPause) >= 0) {
            out.add(new Interval(start, e));
        }
    }

    /** Scores {@code windows} against the samples in [from, to) ({@code samples} sorted by time). */
    public static PlanScore of(List<PausePlanner.Window> windows, List<Sample> samples, Instant from, Instant to,
            double threshold, Duration minPause) {
        long busy = 0;
        long busyPaused = 0;
        boolean[] hit = new boolean[windows.size()];
        for (Sample s : samples) {
            if (s.at().isBefore(from) || !s.at().isBefore(to) || s.cpu() < threshold) {
                continue;
            }
            busy++;
            int w = pausedIndex(windows, s.at());
            if (w >= 0) {
                busyPaused++;
                hit[w] = true;
            }
        }
        int incidents = 0;
        for (boolean h : hit) {
            incidents += h ? 1 : 0;
        }
        List<Interval> runs = idleRuns(samples, from, to, threshold, minPause);
        double idleRunHours = 0;
        for (Interval r : runs) {
            idleRunHours += Duration.between(r.start(), r.end()).toSeconds() / 3600.0;
        }
        double pausedHours = 0;
        double capturedHours = 0;
        int scored = 0;
        for (PausePlanner.Window w : windows) {
            Interval scope = new Interval(from, to);
            double h = scope.hoursOverlapping(w.pauseAt(), w.resumeAt());
            if (h > 0) {
                scored++;
                pausedHours += h;
                for (Interval r : runs) {
                    capturedHours += r.hoursOverlapping(w.pauseAt(), w.resumeAt());
                }
            }
        }
        return new PlanScore(busy, busyPaused, idleRunHours, capturedHours, pausedHours,
                Duration.between(from, to).toSeconds() / 3600.0, scored, incidents);
    }

    private static int pausedIndex(List<PausePlanner.Window> windows, Instant t) {
        for (int i = 0; i < windows.size(); i++) {
            PausePlanner.Window w = windows.get(i);
            if (!t.isBefore(w.pauseAt()) && t.isBefore(w.resumeAt())) {
                return i;
            }
        }
        return -1;
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
