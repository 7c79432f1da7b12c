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

    /** The bound: {@code idleCapture} as {@link PlanScore#idleCapture()} counts it, reached with {@code busyPaused} busy samples paused. */
    public record Bound(double idleCapture, long busyPaused, long busyAllowed, long busy) {
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
                runs.add(new Run(runStart, runEnd, busySinceRun));
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
            runs.add(new Run(runStart, runEnd, busySinceRun));
        }
        int allowed = (int) Math.floor(maxBusyWhilePaused * busy + 1e-9);
        // best[r][b]: most paused minutes with windows inside the first r runs, b busy samples paused
        long[][] best = new long[runs.size() + 1][allowed + 1];
        for (int j = 0; j < runs.size(); j++) {
            System.arraycopy(best[j], 0, best[j + 1], 0, allowed + 1);
            Run last = runs.get(j);
            Instant resumeAt = last.end().isBefore(to) ? last.end().minus(resumeLead) : last.end();
            long cost = 0;
            for (int i = j; i >= 0; i--) {
                if (i < j) {
                    cost += runs.get(i + 1).busyBefore();
                }
                if (cost > allowed) {
                    break;
                }
                Instant pauseAt = runs.get(i).start().plus(Guards.CPU_LOOKBACK);
                long minutes = Duration.between(pauseAt, resumeAt).toMinutes();
                if (!pauseAt.isBefore(runs.get(i).end()) || minutes < minPause.toMinutes()) {
                    continue;
                }
                for (int b = (int) cost; b <= allowed; b++) {
                    best[j + 1][b] = Math.max(best[j + 1][b], best[i][b - (int) cost] + minutes);
                }
            }
        }
        double idleRunHours = PlanScore.of(List.of(), samples, from, to, threshold, minPause).idleRunHours();
        long[] last = best[runs.size()];
        int used = 0;
        for (int b = 0; b <= allowed; b++) {
            used = last[b] > last[used] ? b : used;
        }
        double capture = idleRunHours == 0 ? 1 : last[used] / 60.0 / idleRunHours;
        return new Bound(capture, used, allowed, busy);
    }
}
