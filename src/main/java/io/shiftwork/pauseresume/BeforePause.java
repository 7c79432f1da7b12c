package io.shiftwork.pauseresume;

import java.time.Instant;
import java.util.List;

/**
 * What must be done before a cluster is paused until {@code resumeAt}: the snapshots whose schedule's recovery point
 * objective would lapse meanwhile (AWS takes no snapshot of a paused cluster). The snapshots capability implements it.
 */
public interface BeforePause {

    /**
     * Takes them and says what was taken, in words (empty: nothing due). Throws when one cannot be taken: the pause
     * waits for the next tick.
     */
    List<String> snapshotsBeforePause(String cluster, Instant now, Instant resumeAt);

    /** Without snapshot schedules: nothing to take. */
    @jakarta.enterprise.context.ApplicationScoped
    @io.quarkus.arc.DefaultBean
    class None implements BeforePause {
        @Override
        public List<String> snapshotsBeforePause(String cluster, Instant now, Instant resumeAt) {
            return List.of();
        }
    }
}
