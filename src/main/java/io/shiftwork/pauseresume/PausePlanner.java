package io.shiftwork.pauseresume;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Pause windows from a forecast: runs where the upper quantile stays below the threshold for at least
 * {@code minPause}; each paused from its start and resumed {@code resumeLead} before it ends, so the cluster
 * is back when the load is. Pure.
 */
public final class PausePlanner {

    /** Pause at {@code pauseAt}, resume at {@code resumeAt}; {@code open}: the idle run reaches past the forecast. */
    public record Window(Instant pauseAt, Instant resumeAt, boolean open) {
    }

    private PausePlanner() {
    }

    public static List<Window> plan(List<ForecastPoint> forecast, double threshold, Duration minPause, Duration resumeLead) {
        List<Window> windows = new ArrayList<>();
        Instant runStart = null;
        Instant runEnd = null;
        for (ForecastPoint p : forecast) {
            boolean idle = p.upper() < threshold;
            if (idle && runStart == null) {
                runStart = p.at();
            }
            if (idle) {
                runEnd = p.at().plus(Forecaster.STEP);
            } else if (runStart != null) {
                add(windows, runStart, runEnd, false, minPause, resumeLead);
                runStart = null;
            }
        }
        if (runStart != null) {
            add(windows, runStart, runEnd, true, minPause, resumeLead);
        }
        return windows;
    }

    /**
     * Windows cut short so that the cluster is up {@code resumeLead} before each of the {@code fireTimes} (a pipeline's
     * next runs, such as the ETL cron's): a window reaching past a fire time resumes {@code resumeLead} before it, and
     * is dropped when less than {@code minPause} remains.
     */
    public static List<Window> avoid(List<Window> windows, List<Instant> fireTimes, Duration minPause, Duration resumeLead) {
        List<Window> out = new ArrayList<>();
        for (Window w : windows) {
            Instant resumeAt = w.resumeAt();
            boolean open = w.open();
            for (Instant fire : fireTimes) {
                Instant upBy = fire.minus(resumeLead);
                if (fire.isAfter(w.pauseAt()) && upBy.isBefore(resumeAt)) {
                    resumeAt = upBy;
                    open = false;
                }
            }
            if (Duration.between(w.pauseAt(), resumeAt).compareTo(minPause) >= 0) {
                out.add(new Window(w.pauseAt(), resumeAt, open));
            }
        }
        return out;
    }

    /**
     * An open-ended pause from {@code now}, resumed at the latest after {@code maxPause}, when the workload stopped:
     * the history reaches back {@code idleFor} and no sample since then came up to the threshold. Empty otherwise.
     */
    public static java.util.Optional<Window> openEnded(List<Sample> history, double threshold, Instant now, Duration idleFor,
            Duration maxPause) {
        Instant since = now.minus(idleFor);
        boolean reachesBack = history.stream().anyMatch(s -> !s.at().isAfter(since));
        boolean busy = history.stream().filter(s -> s.at().isAfter(since) && !s.at().isAfter(now))
                .anyMatch(s -> !Double.isNaN(s.cpu()) && s.cpu() >= threshold);
        return reachesBack && !busy ? java.util.Optional.of(new Window(now, now.plus(maxPause), false))
                : java.util.Optional.empty();
    }

    private static void add(List<Window> windows, Instant start, Instant end, boolean open, Duration minPause,
            Duration resumeLead) {
        // min-pause bounds the pause itself, so it is checked after the resume lead is taken off
        Instant resumeAt = open ? end : end.minus(resumeLead);
        if (resumeAt.isAfter(start) && Duration.between(start, resumeAt).compareTo(minPause) >= 0) {
            windows.add(new Window(start, resumeAt, open));
        }
    }
}
