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
import io.shiftwork.pipelines.Leases;
import io.shiftwork.pipelines.PipelineRunner;
import io.shiftwork.pipelines.RunSteps;

/**
 * Applies every snapshot schedule: snapshot when due, delete what retention allows. One schedule failing
 * (access denied, cluster not found, quota) is recorded on its step and does not stop the others; the run then
 * fails and the support topic is told. On a scheduled tick each schedule is taken under a DynamoDB lease, so
 * with several replicas one acts.
 */
@ApplicationScoped
@Named("snapshotManager")
@RegisterForReflection
public class SnapshotManager {

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

    public SnapshotManager(SnapshotsConfig config, AwsConfig aws, SnapshotPlanner planner, ProvisionedSnapshots provisioned,
            ServerlessSnapshots serverless, RunSteps steps, Leases leases, PipelineRunner runner, Clock clock) {
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
                LOG.warnf("snapshot schedule %s keeps up to %d manual snapshots (retention / interval), more than the "
                        + "manual-snapshot quota of %d (shiftwork.snapshots.manual-snapshot-quota)", s.namespace(),
                        s.snapshotsKept(), config.manualSnapshotQuota());
            }
        }
    }

    public List<Schedule> schedules() {
        return schedules;
    }

    /** The timer's tick: one run of the snapshots pipeline. */
    public void tick() {
        runner.start("snapshots", Map.of(), "schedule");
    }

    /** Applies every schedule for the run on the exchange. */
    public void runAll(Exchange exchange) {
        String runId = exchange.getIn().getHeader(PipelineRunner.RUN_ID, String.class);
        boolean scheduled = "schedule".equals(exchange.getIn().getHeader(PipelineRunner.TRIGGER, String.class));
        Instant now = clock.instant();
        List<String> failed = new ArrayList<>();
        for (Schedule schedule : schedules) {
            String step = "schedule-" + schedule.namespace();
            steps.begin(runId, step);
            try {
                if (scheduled && !leases.acquire(leaseKey(schedule, now), runId, Duration.ofHours(1))) {
                    steps.succeed(runId, step, Map.of("action", "none", "reason", "another replica took this tick"));
                    continue;
                }
                steps.succeed(runId, step, apply(runId, step, schedule, now));
            } catch (RuntimeException e) {
                String error = e.getClass().getSimpleName() + ": " + e.getMessage();
                LOG.warnf("snapshot schedule %s failed: %s", schedule.namespace(), error);
                steps.fail(runId, step, error);
                failed.add(schedule.namespace());
            }
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

    private Map<String, Object> apply(String runId, String step, Schedule schedule, Instant now) {
        SnapshotStore store = schedule.kind() == Schedule.Kind.SERVERLESS ? serverless : provisioned;
        SnapshotPlanner.Plan plan = planner.plan(schedule, now, store.list(schedule), config.copyAutomated());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("reason", plan.reason());
        plan.create().ifPresent(c -> {
            store.create(schedule, c);
            steps.awsId(runId, step, "snapshotIdentifier", c.identifier());
            out.put("created", c.identifier());
            c.sourceAutomated().ifPresent(src -> out.put("copiedFrom", src));
        });
        for (String id : plan.delete()) {
            store.delete(schedule, id);
        }
        out.put("deleted", plan.delete());
        return out;
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
