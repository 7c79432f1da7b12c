package io.shiftwork.snapshots;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Named;

import org.apache.camel.Exchange;

import io.quarkus.runtime.annotations.RegisterForReflection;
import io.shiftwork.pipelines.Alerts;
import io.shiftwork.pipelines.PipelineRunner;
import io.shiftwork.pipelines.RunSteps;
import software.amazon.awssdk.services.redshift.RedshiftClient;
import software.amazon.awssdk.services.redshiftdata.RedshiftDataClient;
import software.amazon.awssdk.services.redshiftserverless.RedshiftServerlessClient;

/**
 * A restore drill: restore a schedule's newest managed snapshot into a temporary cluster (or namespace and
 * workgroup), wait until it is available, optionally run a verification query through the Data API, record
 * the measured RTO, delete the temporary resource whatever happened, and publish the result to SNS.
 */
@ApplicationScoped
@Named("restoreDrill")
@RegisterForReflection
public class RestoreDrill {

    /** The restore step's AWS id naming the temporary cluster or namespace/workgroup, written before it exists. */
    static final String TEMPORARY = "temporary";
    /** How many of the newest drill runs {@link #sweep()} reads. */
    static final int SWEEP_DEPTH = 200;
    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(RestoreDrill.class);

    private static final DateTimeFormatter SUFFIX = DateTimeFormatter.ofPattern("MMddHHmmss").withZone(ZoneOffset.UTC);

    private final SnapshotManager manager;
    private final ProvisionedSnapshots provisioned;
    private final ServerlessSnapshots serverlessSnapshots;
    private final RedshiftClient redshift;
    private final RedshiftServerlessClient serverless;
    private final RedshiftDataClient data;
    private final RunSteps steps;
    private final Alerts alerts;
    private final Clock clock;
    private final SnapshotsConfig config;
    private final PipelineRunner runner;
    private final io.shiftwork.pipelines.RunStore runs;

    public RestoreDrill(SnapshotManager manager, ProvisionedSnapshots provisioned, ServerlessSnapshots serverlessSnapshots,
            RedshiftClient redshift, RedshiftServerlessClient serverless, RedshiftDataClient data,
            RunSteps steps, Alerts alerts, Clock clock, SnapshotsConfig config,
            PipelineRunner runner, io.shiftwork.pipelines.RunStore runs) {
        this.runs = runs;
        this.config = config;
        this.runner = runner;
        this.manager = manager;
        this.provisioned = provisioned;
        this.serverlessSnapshots = serverlessSnapshots;
        this.redshift = redshift;
        this.serverless = serverless;
        this.data = data;
        this.steps = steps;
        this.alerts = alerts;
        this.clock = clock;
    }

    /** The drill's own timer: one drill of the configured schedule. */
    public void tick() {
        SnapshotsConfig.Drill drill = config.drill();
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("schedule", drill.schedule().orElseThrow(() -> new IllegalStateException(
                "shiftwork.snapshots.drill.schedule is required when shiftwork.snapshots.drill.enabled=true")));
        runner.start("snapshot-drill", params, "schedule");
    }

    /**
     * Runs the drill for the run on the exchange; body: {schedule, verify?, timeoutMinutes}. The verification SQL
     * is the configured query named by verify, else {@code shiftwork.snapshots.drill.verify-sql}.
     */
    public void run(Exchange exchange) throws Exception {
        String runId = exchange.getIn().getHeader(PipelineRunner.RUN_ID, String.class);
        Map<?, ?> body = exchange.getIn().getBody(Map.class);
        String namespace = String.valueOf(body.get("schedule"));
        Schedule schedule = manager.schedules().stream().filter(s -> s.namespace().equals(namespace)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no snapshot schedule '" + namespace + "'"));
        Object named = body.get("verify");
        Object verify = named != null ? config.drill().queries().get(String.valueOf(named))
                : config.drill().verifySql().orElse(null);
        Duration timeout = Duration.ofMinutes(((Number) body.get("timeoutMinutes")).longValue());
        SnapshotStore store = schedule.kind() == Schedule.Kind.SERVERLESS ? serverlessSnapshots : provisioned;
        SnapshotInfo newest = store.list(schedule).stream()
                .filter(s -> s.manual() && s.target().equals(schedule.target()) && SnapshotPlanner.managedBy(schedule, s) && s.available())
                .max(Comparator.comparing(SnapshotInfo::createdAt))
                .orElseThrow(() -> new IllegalStateException("schedule " + namespace + " has no managed snapshot to restore"));
        String temp = ("drill-" + namespace + "-" + SUFFIX.format(clock.instant())).toLowerCase();
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("event", "RestoreDrill");
        result.put("runId", runId);
        result.put("schedule", namespace);
        result.put("snapshot", newest.identifier());
        result.put("temporary", temp);
        Instant started = clock.instant();
        boolean created = false;
        try {
            steps.begin(runId, "restore");
            steps.awsId(runId, "restore", "snapshotIdentifier", newest.identifier());
            // named before it exists: a drill whose instance dies is ended by the run sweep, then its copy by sweep()
            steps.awsId(runId, "restore", TEMPORARY, temp);
            if (schedule.kind() == Schedule.Kind.SERVERLESS) {
                serverless.createNamespace(b -> b.namespaceName(temp));
                serverless.createWorkgroup(b -> b.workgroupName(temp).namespaceName(temp));
                created = true;
                serverless.restoreFromSnapshot(b -> b.namespaceName(temp).workgroupName(temp).snapshotName(newest.identifier()));
                await(timeout, () -> "AVAILABLE".equals(serverless.getNamespace(b -> b.namespaceName(temp)).namespace().statusAsString()));
            } else {
                redshift.restoreFromClusterSnapshot(b -> b.clusterIdentifier(temp).snapshotIdentifier(newest.identifier())
                        .snapshotClusterIdentifier(schedule.target()));
                created = true;
                await(timeout, () -> "available".equals(redshift.describeClusters(b -> b.clusterIdentifier(temp)).clusters().get(0).clusterStatus()));
            }
            steps.awsId(runId, "restore", schedule.kind() == Schedule.Kind.SERVERLESS ? "namespaceName" : "clusterIdentifier", temp);
            long rtoSeconds = Duration.between(started, clock.instant()).toSeconds();
            result.put("rtoSeconds", rtoSeconds);
            steps.succeed(runId, "restore", Map.of("rtoSeconds", rtoSeconds, "temporary", temp));
            if (verify != null && !String.valueOf(verify).isBlank()) {
                steps.begin(runId, "verify");
                String id = data.executeStatement(b -> {
                    b.database("dev").sql(String.valueOf(verify));
                    if (schedule.kind() == Schedule.Kind.SERVERLESS) {
                        b.workgroupName(temp);
                    } else {
                        b.clusterIdentifier(temp).dbUser("awsuser");
                    }
                }).id();
                steps.awsId(runId, "verify", "statementId", id);
                String[] status = new String[1];
                await(timeout, () -> {
                    status[0] = data.describeStatement(b -> b.id(id)).statusAsString();
                    return List.of("FINISHED", "FAILED", "ABORTED").contains(status[0]);
                });
                if (!"FINISHED".equals(status[0])) {
                    String error = data.describeStatement(b -> b.id(id)).error();
                    result.put("verified", false);
                    steps.fail(runId, "verify", error);
                    throw new IllegalStateException("verification query " + status[0] + ": " + error);
                }
                result.put("verified", true);
                steps.succeed(runId, "verify", Map.of("statementId", id));
            }
            result.put("outcome", "SUCCEEDED");
        } catch (Exception e) {
            result.put("outcome", "FAILED");
            result.put("error", e.getMessage());
            throw e;
        } finally {
            if (created) {
                steps.begin(runId, "cleanup");
                try {
                    if (schedule.kind() == Schedule.Kind.SERVERLESS) {
                        serverless.deleteWorkgroup(b -> b.workgroupName(temp));
                        // AWS deletes a workgroup asynchronously; its namespace refuses deletion until it is gone
                        await(timeout, () -> workgroupGone(temp));
                        serverless.deleteNamespace(b -> b.namespaceName(temp));
                    } else {
                        redshift.deleteCluster(b -> b.clusterIdentifier(temp).skipFinalClusterSnapshot(true));
                    }
                    steps.succeed(runId, "cleanup", Map.of("deleted", temp));
                } catch (RuntimeException e) {
                    steps.fail(runId, "cleanup", "could not delete " + temp + ": " + e.getMessage());
                    result.put("cleanupError", e.getMessage());
                }
            }
            alerts.publish("Shiftwork: restore drill of " + namespace + " " + result.get("outcome"), result);
        }
    }

    /**
     * Deletes the temporary copies of drills that ended without deleting them (their instance was killed): a
     * cluster, workgroup or namespace named {@code drill-*} is deleted only when a drill run named it as its
     * temporary copy and that run has ended; anything else called drill-* is left alone. A resource not yet in
     * a deletable state (a cluster still restoring, a namespace whose workgroup is being deleted) is tried again
     * on the next sweep.
     *
     * @return the names of what it asked AWS to delete
     */
    public List<String> sweep() {
        Map<String, io.shiftwork.pipelines.Run> owners = new java.util.HashMap<>();
        for (io.shiftwork.pipelines.Run run : runs.listByPipeline("snapshot-drill", SWEEP_DEPTH)) {
            var restore = run.step("restore");
            Object temp = restore == null || restore.awsIds() == null ? null : restore.awsIds().get(TEMPORARY);
            if (temp != null) {
                owners.putIfAbsent(String.valueOf(temp), run);
            }
        }
        java.util.function.Predicate<String> orphan = name -> name.startsWith("drill-") && owners.containsKey(name)
                && owners.get(name).status().terminal();
        List<String> deleted = new java.util.ArrayList<>();
        redshift.describeClustersPaginator(b -> { }).clusters().stream()
                .filter(c -> orphan.test(c.clusterIdentifier()) && !"deleting".equals(c.clusterStatus()))
                .forEach(c -> attempt(deleted, c.clusterIdentifier(), () -> redshift.deleteCluster(
                        b -> b.clusterIdentifier(c.clusterIdentifier()).skipFinalClusterSnapshot(true))));
        java.util.Set<String> workgroups = new java.util.HashSet<>();
        serverless.listWorkgroupsPaginator(b -> { }).workgroups().forEach(w -> {
            workgroups.add(w.workgroupName());
            if (orphan.test(w.workgroupName()) && !"DELETING".equals(w.statusAsString())) {
                attempt(deleted, w.workgroupName(), () -> serverless.deleteWorkgroup(b -> b.workgroupName(w.workgroupName())));
            }
        });
        serverless.listNamespacesPaginator(b -> { }).namespaces().stream()
                .filter(n -> orphan.test(n.namespaceName()) && !workgroups.contains(n.namespaceName())
                        && !"DELETING".equals(n.statusAsString()))
                .forEach(n -> attempt(deleted, n.namespaceName(), () -> serverless.deleteNamespace(b -> b.namespaceName(n.namespaceName()))));
        if (!deleted.isEmpty()) {
            alerts.publish("Shiftwork: deleted the temporary copies of interrupted restore drills",
                    Map.of("event", "RestoreDrillSweep", "deleted", deleted));
        }
        return deleted;
    }

    private static void attempt(List<String> deleted, String name, Runnable delete) {
        try {
            delete.run();
            deleted.add(name);
            LOG.warnf("deleted %s, the temporary copy of an interrupted restore drill", name);
        } catch (software.amazon.awssdk.awscore.exception.AwsServiceException e) {
            LOG.infof("the temporary copy %s of an interrupted drill is not deletable yet (%s); next sweep",
                    name, e.awsErrorDetails() == null ? e.getMessage() : e.awsErrorDetails().errorCode());
        }
    }

    private boolean workgroupGone(String workgroup) {
        try {
            serverless.getWorkgroup(b -> b.workgroupName(workgroup));
            return false;
        } catch (software.amazon.awssdk.services.redshiftserverless.model.ResourceNotFoundException e) {
            return true;
        }
    }

    private static void await(Duration timeout, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long wait = 200;
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("not available within " + timeout.toMinutes() + " minutes");
            }
            Thread.sleep(wait);
            wait = Math.min(wait * 2, 15_000);
        }
    }
}
