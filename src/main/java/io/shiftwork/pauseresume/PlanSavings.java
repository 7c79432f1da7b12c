package io.shiftwork.pauseresume;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * What a plan is expected to save over its horizon [from, to): paused hours × nodes × node-hour price, against a
 * cluster left always on and against the fixed 20:00–08:00 + weekends schedule ({@link Baselines#fixedSchedule})
 * over the same hours (negative: the schedule would pause longer — at the risk the backtest counts). Windows
 * SKIPPED or FAILED pause nothing. Pure.
 */
@RegisterForReflection
public record PlanSavings(Instant from, Instant to, String nodeType, int nodes, double nodeHourPrice, double pausedHours,
        double savedVsAlwaysOn, double fixedSchedulePausedHours, double savedVsFixedSchedule) {

    public static PlanSavings of(List<PausePlanner.Window> windows, Instant from, Instant to, String nodeType, int nodes,
            double nodeHourPrice, ZoneId zone) {
        double paused = hours(windows, from, to);
        double fixed = hours(Baselines.fixedSchedule(from, to, zone), from, to);
        double perHour = nodes * nodeHourPrice;
        return new PlanSavings(from, to, nodeType, nodes, nodeHourPrice, round(paused), round(paused * perHour), round(fixed),
                round((paused - fixed) * perHour));
    }

    /** The savings of a stored plan over its forecast's horizon (the day after it was computed). */
    public static PlanSavings of(ClusterPlan plan, String nodeType, int nodes, double nodeHourPrice, ZoneId zone) {
        Instant from = plan.forecast().isEmpty() ? plan.computedAt() : plan.forecast().get(0).at();
        Instant to = plan.forecast().isEmpty() ? from.plus(Duration.ofDays(1))
                : plan.forecast().get(plan.forecast().size() - 1).at().plus(Forecaster.STEP);
        List<PausePlanner.Window> windows = plan.windows().stream()
                .filter(w -> !w.state().equals("SKIPPED") && !w.state().equals("FAILED"))
                .map(w -> new PausePlanner.Window(w.pauseAt(), w.resumeAt(), w.open())).toList();
        return of(windows, from, to, nodeType, nodes, nodeHourPrice, zone);
    }

    private static double hours(List<PausePlanner.Window> windows, Instant from, Instant to) {
        PlanScore.Interval scope = new PlanScore.Interval(from, to);
        double h = 0;
        for (PausePlanner.Window w : windows) {
            h += scope.hoursOverlapping(w.pauseAt(), w.resumeAt());
        }
        return h;
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }

    /** One line for people: "saves 12.0 h, 26.06 against always-on, -3.40 against the fixed schedule". */
    public String summary() {
        return String.format(java.util.Locale.ROOT, "expected %.1f h paused (%d × %s): saves %.2f against always-on, %.2f against "
                + "20:00–08:00 + weekends (%.1f h)", pausedHours, nodes, nodeType, savedVsAlwaysOn, savedVsFixedSchedule,
                fixedSchedulePausedHours);
    }
}
