package io.shiftwork.snapshots;

import java.util.List;
import java.util.Map;

import jakarta.annotation.security.RolesAllowed;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;

import io.shiftwork.pipelines.PipelineSpec;

/** The snapshots and snapshot-drill pipelines (flows: routes/snapshots.camel.yaml, routes/snapshot-drill.camel.yaml) and {@code GET /snapshots/schedules}. */
@ApplicationScoped
@Path("/snapshots")
public class SnapshotPipelines {

    private final SnapshotManager manager;
    private final SnapshotsConfig config;
    private final io.shiftwork.pipelines.RunStore runs;

    public SnapshotPipelines(SnapshotManager manager, SnapshotsConfig config, io.shiftwork.pipelines.RunStore runs) {
        this.manager = manager;
        this.config = config;
        this.runs = runs;
    }

    @Produces
    PipelineSpec snapshotDrill() {
        return PipelineSpec.of("snapshot-drill", "Restore the newest managed snapshot of a schedule into a temporary "
                + "cluster or namespace, measure the RTO, verify, delete it", null, List.of(
                        // the drill's own configuration (shiftwork.snapshots.drill.*) is the default, as on its timer
                        config.drill().schedule()
                                .map(s -> io.shiftwork.pipelines.ParamSpec.optional("schedule", io.shiftwork.pipelines.ParamSpec.Type.STRING,
                                        s, "schedule namespace whose snapshot is restored"))
                                .orElse(io.shiftwork.pipelines.ParamSpec.required("schedule", io.shiftwork.pipelines.ParamSpec.Type.STRING,
                                        "schedule namespace whose snapshot is restored"))
                                .matching("[a-z][a-z0-9]*(-[a-z0-9]+)*").maxLength(63),
                        io.shiftwork.pipelines.ParamSpec.optional("verify", io.shiftwork.pipelines.ParamSpec.Type.STRING,
                                null, "name of the configured query (shiftwork.snapshots.drill.queries.<name>) that must "
                                        + "finish on the restored copy; default shiftwork.snapshots.drill.verify-sql")
                                .maxLength(63).allowedBy("shiftwork.snapshots.drill.queries",
                                        config.drill().queries().keySet().stream().sorted().toList()),
                        io.shiftwork.pipelines.ParamSpec.optional("timeoutMinutes", io.shiftwork.pipelines.ParamSpec.Type.INTEGER,
                                60L, "how long the restore may take").range(1, 24 * 60)))
                .startedBy(io.shiftwork.pipelines.Trigger.HTTP, io.shiftwork.pipelines.Trigger.SCHEDULE)
                // a drill restores production data into a new cluster and pays for it while it runs
                .requires(io.shiftwork.auth.Roles.ADMIN);
    }

    @GET
    @Path("drills")
    @RolesAllowed(io.shiftwork.auth.Roles.VIEWER)
    @jakarta.ws.rs.Produces("application/json")
    public List<Map<String, Object>> drills() {
        return runs.listByPipeline("snapshot-drill", 50).stream().map(r -> {
            Map<String, Object> m = new java.util.LinkedHashMap<>();
            m.put("runId", r.runId());
            m.put("schedule", r.parameters().get("schedule"));
            m.put("status", r.status());
            m.put("startedAt", r.createdAt());
            var restore = r.step("restore");
            m.put("snapshot", restore == null ? null : restore.awsIds().get("snapshotIdentifier"));
            m.put("rtoSeconds", restore != null && restore.output() instanceof Map<?, ?> o ? o.get("rtoSeconds") : null);
            var verify = r.step("verify");
            m.put("verified", verify == null ? null : verify.status() == io.shiftwork.pipelines.RunStatus.SUCCEEDED);
            var cleanup = r.step("cleanup");
            m.put("cleanedUp", cleanup == null ? null : cleanup.status() == io.shiftwork.pipelines.RunStatus.SUCCEEDED);
            m.put("error", r.error());
            return m;
        }).toList();
    }

    @Produces
    PipelineSpec snapshots() {
        return PipelineSpec.of("snapshots", "Snapshots on a fixed RPO per schedule, tag-scoped retention",
                config.scheduled() ? "every " + config.tick() : null, List.of())
                .startedBy(io.shiftwork.pipelines.Trigger.HTTP, io.shiftwork.pipelines.Trigger.SCHEDULE);
    }

    @GET
    @Path("schedules")
    @RolesAllowed(io.shiftwork.auth.Roles.VIEWER)
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
                m.put("warning", SnapshotManager.keeps(s) + ", more than the manual-snapshot quota of "
                        + config.manualSnapshotQuota());
            }
            return m;
        }).toList();
    }
}
