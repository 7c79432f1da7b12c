package io.shiftwork.pipelines;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * The runs whose flow this instance is executing right now (from the start of the flow until it returns or
 * leaves the run WAITING). {@link AbandonedRuns} writes a heartbeat into each, so a run whose instance died
 * can be told from one that is merely slow.
 */
@ApplicationScoped
public class InFlightRuns {

    private final Set<String> runIds = ConcurrentHashMap.newKeySet();

    void add(String runId) {
        runIds.add(runId);
    }

    void remove(String runId) {
        runIds.remove(runId);
    }

    /** A snapshot of the run ids, safe to iterate while flows start and end. */
    public Set<String> current() {
        return Set.copyOf(runIds);
    }
}
