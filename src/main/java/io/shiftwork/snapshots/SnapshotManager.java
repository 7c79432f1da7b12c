package io.shiftwork.snapshots;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Named;

import org.apache.camel.Exchange;
import org.jboss.logging.Logger;

import io.quarkus.runtime.annotations.RegisterForReflection;
import io.shiftwork.aws.AwsConfig;
import io.shiftwork.pauseresume.PlanStore;
import io.shiftwork.pipelines.Leases;
import io.shiftwork.pipelines.PipelineRunner;
import io.shiftwork.pipelines.RunStatus;
import io.shiftwork.pipelines.RunSteps;

/**
 * Applies every snapshot schedule: snapshot when due, delete what retention allows. One schedule failing
 * (access denied, cluster not found, quota) is recorded on its step and does not stop the others; the run then
 * fails and the support topic is told. On a scheduled tick each schedule is taken under a DynamoDB lease, so
 * with several replicas one acts.
 */
@ApplicationScoped
@io.quarkus.runtime.Startup // an invalid schedule stops start-up, naming its key
@Named("snapshotManager")
@RegisterForReflection
public class SnapshotManager implements io.shiftwork.pauseresume.BeforePause {

    private static final Logger LOG = Logger.getLogger(SnapshotManager.class);

    private final List<Schedule> schedules;
    private final SnapshotsConfig config;
    private final SnapshotPlanner planner;
    private final ProvisionedSnapshots provisioned;
    private final ServerlessSnapshots serverless;
    private final RunSteps steps;
    private final Leases leases;
    private final PipelineRunner runner;
    private final Clock clock;
    private final PlanStore pauses;
    @jakarta.inject.Inject
    io.shiftwork.cluster.Leadership leadership;

    public SnapshotManager(SnapshotsConfig config, AwsConfig aws, SnapshotPlanner planner, ProvisionedSnapshots provisioned,
            ServerlessSnapshots serverless, RunSteps steps, Leases leases, PipelineRunner runner, Clock clock, PlanStore pauses) {
        this.pauses = pauses;
        this.config = config;
        this.planner = planner;
        this.provisioned = provisioned;
        this.serverless = serverless;
        this.steps = steps;
        this.leases = leases;
        this.runner = runner;
        this.clock = clock;
        List<ScheduleParser.Raw> raws = new ArrayList<>();
        config.schedules().forEach((name, s) -> raws.add(new ScheduleParser.Raw(name, s.target().orElse(null),
                s.kind().orElse(null), s.region().orElse(null), s.interval().orElse(null), s.retention().orElse(null))));
        this.schedules = ScheduleParser.parse(raws, aws.region());
        for (Schedule s : schedules) {
            if (s.snapshotsKept() > config.manualSnapshotQuota()) {
                LOG.warnf("snapshot schedule %s %s, more than the manual-snapshot quota of %d "
                        + "(shiftwork.snapshots.manual-snapshot-quota)", s.namespace(), keeps(s), config.manualSnapshotQuota());
            }
        }
    }

    /** How many manual snapshots a schedule keeps, in words. */
    static String keeps(Schedule s) {
        return s.retention().isEmpty() ? "keeps every snapshot it takes (no retention)"
                : "keeps up to " + s.snapshotsKept() + " manual snapshots (retention / interval)";
    }

    public List<Schedule> schedules() {
        return schedules;
    }

    /** The timer's tick: one run of the snapshots pipeline. */
    public void tick() {
        runner.start("snapshots", Map.of(), "schedule");
    }

    /**
     * Applies every schedule for the run on the exchange. A schedule that created or deleted something, or
     * failed, gets a step of its own; the others are summed up in one step {@code unchanged}, so a tick over
     * hundreds of clusters stays one small run document and costs no write per idle schedule.
     */
    public void runAll(Exchange exchange) {
        if ("schedule".equals(exchange.getIn().getHeader(PipelineRunner.TRIGGER, String.class))) {
            leadership.run("the snapshots tick", () -> runAllNow(exchange));
        } else {
            runAllNow(exchange);
        }
    }

    private void runAllNow(Exchange exchange) {
        String runId = exchange.getIn().getHeader(PipelineRunner.RUN_ID, String.class);
        boolean scheduled = "schedule".equals(exchange.getIn().getHeader(PipelineRunner.TRIGGER, String.class));
        Instant now = clock.instant();
        List<String> failed = new ArrayList<>();
        Map<String, String> unchanged = new java.util.TreeMap<>();
        List<String> elsewhere = new ArrayList<>();
        for (Schedule schedule : schedules) {
            String step = "schedule-" + schedule.namespace();
            Instant started = Instant.now();
            try {
                if (scheduled && !leases.acquire(leaseKey(schedule, now), runId, Duration.ofHours(1))) {
                    elsewhere.add(schedule.namespace());
                    continue;
                }
                Map<String, String> awsIds = new LinkedHashMap<>();
                Map<String, Object> out = apply(schedule, now, awsIds);
                if (out.containsKey("takenElsewhere")) {
                    elsewhere.add(schedule.namespace());
                }
                if (out.containsKey("created") || !((List<?>) out.get("deleted")).isEmpty()) {
                    steps.record(runId, step, started, RunStatus.SUCCEEDED, out, awsIds, null);
                } else {
                    unchanged.put(schedule.namespace(), String.valueOf(out.get("reason")));
                }
            } catch (io.shiftwork.cluster.NotLeader lost) {
                LOG.warnf("snapshot schedule %s left to the leader: %s", schedule.namespace(), lost.getMessage());
                elsewhere.add(schedule.namespace());
            } catch (RuntimeException e) {
                String error = e.getClass().getSimpleName() + ": " + e.getMessage();
                LOG.warnf("snapshot schedule %s failed: %s", schedule.namespace(), error);
                failed.add(schedule.namespace());
                try {
                    steps.record(runId, step, started, RunStatus.FAILED, null, Map.of(), error);
                } catch (RuntimeException notRecorded) {
                    LOG.errorf(notRecorded, "could not record the failure of schedule %s", schedule.namespace());
                }
            }
        }
        if (!unchanged.isEmpty() || !elsewhere.isEmpty()) {
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("count", unchanged.size());
            summary.put("schedules", unchanged);
            summary.put("takenByAnotherReplica", elsewhere);
            steps.record(runId, "unchanged", now, RunStatus.SUCCEEDED, summary, Map.of(), null);
        }
        if (!failed.isEmpty()) {
            throw new IllegalStateException(failed.size() + " of " + schedules.size() + " snapshot schedules failed: "
                    + String.join(", ", failed));
        }
    }

    private String leaseKey(Schedule schedule, Instant now) {
        long tickMillis = camelDuration(config.tick()).toMillis();
        return "snapshots/" + schedule.namespace() + "/" + (now.toEpochMilli() / tickMillis);
    }

    private Map<String, Object> apply(Schedule schedule, Instant now, Map<String, String> awsIds) {
        SnapshotStore store = schedule.kind() == Schedule.Kind.SERVERLESS ? serverless : provisioned;
        List<SnapshotInfo> snapshots = store.list(schedule);
        SnapshotPlanner.Plan plan = planner.plan(schedule, now, snapshots, config.copyAutomated());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("reason", plan.reason());
        if (plan.create().isPresent() && schedule.kind() == Schedule.Kind.PROVISIONED && provisioned.paused(schedule)) {
            // AWS refuses CreateClusterSnapshot on a paused cluster; its data cannot change while paused, so the
            // newest snapshot covers it, and retention deletes nothing until it is back
            out.put("reason", "skipped: paused since " + pausedSince(schedule.target()) + snapshots.stream().filter(sn -> schedule.target().equals(sn.target()))
                            .max(java.util.Comparator.comparing(SnapshotInfo::createdAt))
                            .map(sn -> ", newest snapshot " + sn.identifier() + " (" + sn.createdAt() + ") covers it")
                            .orElse(", no snapshot of it exists"));
            out.put("deleted", List.of());
            return out;
        }
        plan.create().ifPresent(c -> {
            leadership.fence("CreateClusterSnapshot " + c.identifier());
            try {
                store.create(schedule, c);
                awsIds.put("snapshotIdentifier", c.identifier());
                out.put("created", c.identifier());
                c.sourceAutomated().ifPresent(src -> out.put("copiedFrom", src));
            } catch (TargetNotAvailable waiting) {
                out.put("reason", plan.reason() + "; waiting: " + waiting.getMessage());
            } catch (SnapshotTakenElsewhere taken) {
                out.put("reason", plan.reason() + "; taken by another run: " + taken.getMessage());
                out.put("takenElsewhere", c.identifier());
            }
        });
        for (String id : plan.delete()) {
            store.delete(schedule, id);
        }
        out.put("deleted", plan.delete());
        return out;
    }

    /**
     * Before pause/resume pauses {@code cluster} until {@code resumeAt}: takes a manual snapshot for each of its
     * provisioned schedules whose newest snapshot would pass the schedule's interval (its RPO) during the pause.
     */
    @Override
    public List<String> snapshotsBeforePause(String cluster, Instant now, Instant resumeAt) {
        List<String> taken = new ArrayList<>();
        for (Schedule schedule : schedules) {
            if (schedule.kind() != Schedule.Kind.PROVISIONED || !cluster.equals(schedule.target())) {
                continue;
            }
            java.util.Optional<SnapshotPlanner.BeforePause> due = planner.beforePause(schedule, now, resumeAt,
                    provisioned.list(schedule));
            if (due.isPresent()) {
                provisioned.create(schedule, due.get().create());
                taken.add("snapshot " + due.get().create().identifier() + " (schedule " + schedule.namespace()
                        + ": its recovery point would lapse at " + due.get().lapsesAt() + ", paused)");
                LOG.infof("%s: took %s before the pause until %s", cluster, due.get().create().identifier(), resumeAt);
            }
        }
        return taken;
    }

    private String pausedSince(String cluster) {
        try {
            return pauses.pauseOf(cluster).map(r -> r.since() + (r.byShiftwork() ? " (by Shiftwork)" : " (by someone else)"))
                    .orElse("an unknown time");
        } catch (RuntimeException noRecord) {
            return "an unknown time";
        }
    }

    /** Camel's duration syntax as used by the timer: 15m, 1h, 30s, 500 (ms). */
    static Duration camelDuration(String text) {
        String t = text.trim().toLowerCase();
        if (t.matches("\\d+")) {
            return Duration.ofMillis(Long.parseLong(t));
        }
        long n = Long.parseLong(t.replaceAll("[^0-9]", ""));
        return switch (t.replaceAll("[0-9]", "")) {
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            case "d" -> Duration.ofDays(n);
            default -> throw new IllegalArgumentException("shiftwork.snapshots.tick must look like 15m, 1h or 30s, got " + text);
        };
    }
}
