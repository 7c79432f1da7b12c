package io.shiftwork.pipelines;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * The runs this instance is working on right now: a run's flow from its start until it returns or leaves the run
 * WAITING, and each later stretch of steps a completion resumes ({@code StepSequence.advance}), including a wait
 * for a cluster to resume. Counted, since both can overlap for one run. {@link AbandonedRuns} writes a heartbeat
 * into each, so a run whose instance died can be told from one that is merely slow.
 */
@ApplicationScoped
public class InFlightRuns {

    private final ConcurrentHashMap<String, Integer> runIds = new ConcurrentHashMap<>();

    /** This instance starts working on the run; pair with {@link #leave} in a finally. */
    public void enter(String runId) {
        runIds.merge(runId, 1, Integer::sum);
    }

    /** This instance stopped working on the run (one {@link #enter} undone). */
    public void leave(String runId) {
        runIds.computeIfPresent(runId, (id, n) -> n > 1 ? n - 1 : null);
    }

    /** A snapshot of the run ids, safe to iterate while flows start and end. */
    public Set<String> current() {
        return Set.copyOf(runIds.keySet());
    }
}
