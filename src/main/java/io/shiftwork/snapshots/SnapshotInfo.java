package io.shiftwork.snapshots;

import java.time.Instant;
import java.util.Map;

/** A snapshot as the planner sees it, whichever API listed it. */
public record SnapshotInfo(String identifier, String target, boolean manual, Instant createdAt, String status,
        Map<String, String> tags) {

    public boolean available() {
        return "available".equalsIgnoreCase(status);
    }
}
