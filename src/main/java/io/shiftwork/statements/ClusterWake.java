package io.shiftwork.statements;

import java.util.Optional;

/**
 * What a statement step asks before it submits to a provisioned cluster: make the cluster available if something
 * that may wake it put it to sleep (pause/resume implements it). The statement engine knows nothing of pauses.
 */
public interface ClusterWake {

    /**
     * Returns once {@code cluster} can take statements: at once when it is available (empty), or after resuming a
     * pause it may undo and waiting for it (what was done, in words, recorded with the step). Throws
     * {@link IllegalStateException} with the reason when the cluster stays paused (paused by someone else, or not
     * back within the transition budget): the step fails with it.
     *
     * @param purpose who needs the cluster, e.g. {@code etl-unload-notify step unload}
     */
    Optional<String> ensureAvailable(String cluster, String purpose);

    /** Without pause/resume: nothing to wake. */
    @jakarta.enterprise.context.ApplicationScoped
    @io.quarkus.arc.DefaultBean
    class None implements ClusterWake {
        @Override
        public Optional<String> ensureAvailable(String cluster, String purpose) {
            return Optional.empty();
        }
    }
}
