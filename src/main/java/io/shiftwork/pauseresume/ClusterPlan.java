package io.shiftwork.pauseresume;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** A cluster's current plan: forecast, threshold, windows with what became of each, and any hold. */
@RegisterForReflection
public record ClusterPlan(String clusterId, Instant computedAt, double threshold, List<PlannedWindow> windows,
        List<ForecastPoint> forecast, Instant holdUntil) {

    @RegisterForReflection
    public record PlannedWindow(Instant pauseAt, Instant resumeAt, boolean open, String state, String note) {

        public PlannedWindow with(String newState, String newNote) {
            return new PlannedWindow(pauseAt, resumeAt, open, newState, newNote);
        }
    }

    public ClusterPlan withWindow(int i, PlannedWindow w) {
        List<PlannedWindow> copy = new ArrayList<>(windows);
        copy.set(i, w);
        return new ClusterPlan(clusterId, computedAt, threshold, copy, forecast, holdUntil);
    }

    public ClusterPlan withHold(Instant until) {
        return new ClusterPlan(clusterId, computedAt, threshold, windows, forecast, until);
    }
}
