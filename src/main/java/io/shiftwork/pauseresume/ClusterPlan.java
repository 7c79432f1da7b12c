package io.shiftwork.pauseresume;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * A cluster's current plan: forecast, threshold, windows with what became of each, and any hold.
 * {@code version}: the version read from the store; a write is conditional on it.
 */
@RegisterForReflection
public record ClusterPlan(String clusterId, Instant computedAt, double threshold, List<PlannedWindow> windows,
        List<ForecastPoint> forecast, Instant holdUntil, long version) {

    /**
     * A window and its life-cycle state ({@link PauseLifecycle.State}); {@code since}: when it entered the state.
     * {@code openEnded}: no planned resume (the workload stopped); {@code resumeAt} is then the maximum, and a request
     * or a pipeline that needs the cluster resumes it before.
     */
    @RegisterForReflection
    public record PlannedWindow(Instant pauseAt, Instant resumeAt, boolean open, String state, String note, Instant since,
            boolean openEnded) {

        public PlannedWindow(Instant pauseAt, Instant resumeAt, boolean open, String state, String note, Instant since) {
            this(pauseAt, resumeAt, open, state, note, since, false);
        }

        public PlannedWindow with(String newState, String newNote, Instant at) {
            return new PlannedWindow(pauseAt, resumeAt, open, newState, newNote, at, openEnded);
        }

        public PauseLifecycle.State lifecycle() {
            return PauseLifecycle.State.valueOf(state);
        }

        public boolean covers(Instant t) {
            return !t.isBefore(pauseAt) && t.isBefore(resumeAt);
        }
    }

    public ClusterPlan withWindow(int i, PlannedWindow w) {
        List<PlannedWindow> copy = new ArrayList<>(windows);
        copy.set(i, w);
        return new ClusterPlan(clusterId, computedAt, threshold, copy, forecast, holdUntil, version);
    }

    public ClusterPlan withHold(Instant until) {
        return new ClusterPlan(clusterId, computedAt, threshold, windows, forecast, until, version);
    }

    public ClusterPlan withVersion(long v) {
        return new ClusterPlan(clusterId, computedAt, threshold, windows, forecast, holdUntil, v);
    }

    /** The window Shiftwork has paused (or is pausing, or resuming) the cluster for, if any. */
    public Optional<PlannedWindow> active() {
        return windows.stream().filter(w -> w.lifecycle().active()).findFirst();
    }

    public int indexOf(Instant pauseAt) {
        for (int i = 0; i < windows.size(); i++) {
            if (windows.get(i).pauseAt().equals(pauseAt)) {
                return i;
            }
        }
        return -1;
    }

    /**
     * A fresh plan merged with the one it replaces: a window in progress (pausing, paused, resuming) is kept with its
     * state — a re-plan never forgets a pause. Its resume time becomes that of the new window covering it (the newer
     * forecast), or now when the new forecast sees load; new windows starting before it resumes are dropped.
     */
    public static List<PlannedWindow> merge(List<PlannedWindow> fresh, Optional<PlannedWindow> inProgress, Instant now) {
        if (inProgress.isEmpty()) {
            return fresh;
        }
        PlannedWindow a = inProgress.get();
        PlannedWindow kept = a;
        if (a.lifecycle() != PauseLifecycle.State.RESUMING) {
            Optional<PlannedWindow> covering = fresh.stream().filter(w -> w.covers(now)).findFirst();
            Instant resumeAt = covering.map(PlannedWindow::resumeAt).orElse(now);
            boolean openEnded = a.openEnded() && covering.map(PlannedWindow::openEnded).orElse(false);
            if (a.openEnded() && resumeAt.isAfter(a.resumeAt())) {
                resumeAt = a.resumeAt(); // an open-ended pause's maximum counts from the pause, not from each re-plan
            }
            kept = new PlannedWindow(a.pauseAt(), resumeAt, covering.map(PlannedWindow::open).orElse(false), a.state(),
                    a.note(), a.since(), openEnded);
        }
        List<PlannedWindow> out = new ArrayList<>();
        out.add(kept);
        Instant after = kept.resumeAt();
        fresh.stream().filter(w -> !w.pauseAt().isBefore(after)).forEach(out::add);
        return out;
    }
}
