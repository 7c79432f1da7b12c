package io.shiftwork.pauseresume;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The best idle capture any plan could reach on a trace if it knew the future: pauses placed with hindsight,
 * under the same rules as production (a pause starts only after {@link Guards#CPU_LOOKBACK} below the threshold,
 * resumes {@code resumeLead} before the load returns, lasts at least {@code minPause}) and letting at most
 * {@code maxBusyWhilePaused} of the busy samples fall inside a pause. No forecaster can do better, so it tells a
 * target that cannot be met on a trace from a forecaster that falls short. Exact (dynamic programming over the
 * idle runs and the busy samples allowed). Pure.
 */
public final class Hindsight {

    /**
     * The bound: the hindsight plan's {@code windows} and their {@link PlanScore} (so {@code idleCapture} is counted exactly as
     * for any plan), reached with {@code busyPaused} of the {@code busyAllowed} busy samples paused.
     */
    public record Bound(List<PausePlanner.Window> windows, PlanScore score, long busyPaused, long busyAllowed, long busy) {

        public double idleCapture() {
            return score.idleCapture();
        }
    }

    /** An idle run: contiguous samples below the threshold in [start, end); {@code busyBefore}: busy samples between it and the previous run. */
    private record Run(Instant start, Instant end, long busyBefore) {
    }

    private Hindsight() {
    }

    public static Bound bound(List<Sample> samples, Instant from, Instant to, double threshold, Duration minPause,
            Duration resumeLead, double maxBusyWhilePaused) {
        List<Run> runs = new ArrayList<>();
        long busy = 0;
        long busySinceRun = 0;
        Instant runStart = null;
        Instant runEnd = null;
        for (Sample s : samples) {
            if (s.at().isBefore(from) || !s.at().isBefore(to)) {
                continue;
            }
            boolean isBusy = s.cpu() >= threshold;
            boolean contiguous = runEnd != null && Duration.between(runEnd, s.at()).compareTo(Forecaster.STEP) < 0;
            if (runStart != null && (isBusy || !contiguous)) {
                runs.add(new Run(runStart, runEnd.isAfter(to) ? to : runEnd, busySinceRun));
                busySinceRun = 0;
                runStart = null;
            }
            if (isBusy) {
                busy++;
                busySinceRun++;
            } else {
                runStart = runStart == null ? s.at() : runStart;
                runEnd = s.at().plus(Forecaster.STEP);
            }
        }
        if (runStart != null) {
            runs.add(new Run(runStart, runEnd.isAfter(to) ? to : runEnd, busySinceRun));
        }
        int allowed = (int) Math.floor(maxBusyWhilePaused * busy + 1e-9);
        int n = runs.size();
        // best[r][b]: most captured minutes (paused inside idle runs >= minPause) with windows inside the first r runs,
        // b busy samples paused; parent/parentCost: the window that reached it (parent -1: run r-1 not paused)
        long[][] best = new long[n + 1][allowed + 1];
        int[][] parent = new int[n + 1][allowed + 1];
        int[][] parentCost = new int[n + 1][allowed + 1];
        for (int j = 0; j < n; j++) {
            System.arraycopy(best[j], 0, best[j + 1], 0, allowed + 1);
            java.util.Arrays.fill(parent[j + 1], -1);
            Run last = runs.get(j);
            Instant resumeAt = last.end().isBefore(to) ? last.end().minus(resumeLead) : last.end();
            long cost = 0;
            long middle = 0;
            for (int i = j; i >= 0; i--) {
                if (i < j) {
                    cost += runs.get(i + 1).busyBefore();
                    if (i + 1 < j) {
                        middle += captured(runs.get(i + 1), runs.get(i + 1).start(), runs.get(i + 1).end(), minPause);
                    }
                }
                if (cost > allowed) {
                    break;
                }
                Instant pauseAt = runs.get(i).start().plus(Guards.CPU_LOOKBACK);
                long minutes = Duration.between(pauseAt, resumeAt).toMinutes();
                if (!pauseAt.isBefore(runs.get(i).end()) || minutes < minPause.toMinutes()) {
                    continue;
                }
                long gain = i == j ? captured(last, pauseAt, resumeAt, minPause)
                        : captured(runs.get(i), pauseAt, resumeAt, minPause) + middle + captured(last, pauseAt, resumeAt, minPause);
                for (int b = (int) cost; b <= allowed; b++) {
                    long candidate = best[i][b - (int) cost] + gain;
                    if (candidate > best[j + 1][b]) {
                        best[j + 1][b] = candidate;
                        parent[j + 1][b] = i;
                        parentCost[j + 1][b] = (int) cost;
                    }
                }
            }
        }
        long[] last = best[n];
        int used = 0;
        for (int b = 0; b <= allowed; b++) {
            used = last[b] > last[used] ? b : used;
        }
        List<PausePlanner.Window> windows = new ArrayList<>();
        int b = used;
        for (int j = n; j > 0;) {
            int i = parent[j][b];
            if (i < 0) {
                j--;
                continue;
            }
            Run end = runs.get(j - 1);
            Instant resumeAt = end.end().isBefore(to) ? end.end().minus(resumeLead) : end.end();
            windows.add(0, new PausePlanner.Window(runs.get(i).start().plus(Guards.CPU_LOOKBACK), resumeAt, false));
            b -= parentCost[j][b];
            j = i;
        }
        PlanScore score = PlanScore.of(windows, samples, from, to, threshold, minPause);
        return new Bound(windows, score, score.busyPaused(), allowed, busy);
    }

    /** Minutes of [a, b) inside {@code run}, when the run lasts at least {@code minPause}. */
    private static long captured(Run run, Instant a, Instant b, Duration minPause) {
        if (Duration.between(run.start(), run.end()).compareTo(minPause) < 0) {
            return 0;
        }
        Instant s = a.isAfter(run.start()) ? a : run.start();
        Instant e = b.isBefore(run.end()) ? b : run.end();
        return e.isAfter(s) ? Duration.between(s, e).toMinutes() : 0;
    }
}
