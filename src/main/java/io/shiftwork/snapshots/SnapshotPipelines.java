package io.shiftwork.snapshots;

import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;

import io.shiftwork.pipelines.PipelineSpec;

/** The snapshots pipeline (flow: routes/snapshots.camel.yaml) and {@code GET /snapshots/schedules}. */
@ApplicationScoped
@Path("/snapshots")
public class SnapshotPipelines {

    private final SnapshotManager manager;
    private final SnapshotsConfig config;

    public SnapshotPipelines(SnapshotManager manager, SnapshotsConfig config) {
        this.manager = manager;
        this.config = config;
    }

    @Produces
    PipelineSpec snapshots() {
        return PipelineSpec.of("snapshots", "Snapshots on a fixed RPO per schedule, tag-scoped retention",
                config.scheduled() ? "every " + config.tick() : null, List.of());
    }

    @GET
    @Path("schedules")
    @jakarta.ws.rs.Produces("application/json")
    public List<Map<String, Object>> schedules() {
        return manager.schedules().stream().map(s -> {
            Map<String, Object> m = new java.util.LinkedHashMap<>();
            m.put("namespace", s.namespace());
            m.put("kind", s.kind().name().toLowerCase());
            m.put("target", s.target());
            m.put("region", s.region());
            m.put("intervalMinutes", s.interval().toMinutes());
            m.put("retentionMinutes", s.retention().map(r -> r.toMinutes()).orElse(null));
            long kept = s.snapshotsKept();
            m.put("snapshotsKept", kept == Long.MAX_VALUE ? null : kept);
            if (kept > config.manualSnapshotQuota()) {
                m.put("warning", "keeps up to " + (kept == Long.MAX_VALUE ? "unlimited" : kept)
                        + " manual snapshots, more than the manual-snapshot quota of " + config.manualSnapshotQuota());
            }
            return m;
        }).toList();
    }
}
