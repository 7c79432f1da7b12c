package io.shiftwork.snapshots;

import java.time.Duration;
import java.util.Optional;

/** One snapshot schedule: take a snapshot of {@code target} every {@code interval}, keep it {@code retention}. */
public record Schedule(String namespace, Kind kind, String target, String region, Duration interval,
        Optional<Duration> retention) {

    public enum Kind {
        PROVISIONED, SERVERLESS
    }

    /** ceil(retention / interval): how many manual snapshots this schedule keeps at once. */
    public long snapshotsKept() {
        return retention.map(r -> (r.toMillis() + interval.toMillis() - 1) / interval.toMillis()).orElse(Long.MAX_VALUE);
    }
}
