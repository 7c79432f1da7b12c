package io.shiftwork.migration;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Named;

import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.aws2.sns.Sns2Constants;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.runtime.annotations.RegisterForReflection;
import io.shiftwork.migration.MigrationPlanner.Action;
import io.shiftwork.migration.MigrationPlanner.Decision;
import io.shiftwork.migration.MigrationPlanner.State;
import io.shiftwork.migration.MigrationPlanner.StepChange;
import io.shiftwork.migration.MigrationPlanner.Target;
import io.shiftwork.pipelines.PipelineRunner;
import io.shiftwork.pipelines.Run;
import io.shiftwork.pipelines.RunStatus;
import io.shiftwork.pipelines.RunStore;
import io.shiftwork.pipelines.Step;

/**
 * The migration flow's machinery (routes/migration.camel.yaml): a run records its target and its
 * {@link MigrationPlanner} state, then is moved on one decision at a time, first by the request that started it
 * and then by the master's timer ({@link #tick()}), which also carries on the runs of an instance that stopped. The
 * run stays WAITING between decisions, so the abandoned-run sweep leaves it to the timer.
 */
@ApplicationScoped
@Named("migrationFlow")
// the planner's records go through Jackson into the run's context and back
@RegisterForReflection(targets = { MigrationFlow.class, MigrationPlanner.State.class, MigrationPlanner.Target.class,
        MigrationPlanner.Phase.class })
public class MigrationFlow {

    public static final String PIPELINE = "migration";
    /** Run context keys: the planner's state and the target as resolved at the start. */
    static final String STATE = "migration";
    static final String TARGET = "migration-target";
    /** How many of the newest migration runs a tick looks at. */
    static final int TICK_DEPTH = 20;

    private static final Logger LOG = Logger.getLogger(MigrationFlow.class);
    private static final DateTimeFormatter SUFFIX = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

    private final MigrationConfig config;
    private final MigrationAws aws;
    private final RunStore runs;
    private final PipelineRunner runner;
    private final ProducerTemplate camel;
    private final ObjectMapper json;
    private final Clock clock;

    public MigrationFlow(MigrationConfig config, MigrationAws aws, RunStore runs, PipelineRunner runner,
            ProducerTemplate camel, ObjectMapper json, Clock clock) {
        this.config = config;
        this.aws = aws;
        this.runs = runs;
        this.runner = runner;
        this.camel = camel;
        this.json = json;
        this.clock = clock;
    }

    /**
     * Starts the run on the exchange: resolves its target from {@code shiftwork.migration.*} (a run's
     * {@code createTarget} overrides {@code create-target}), names the snapshot it takes, records both and takes
     * the first decision at once, so a missing namespace or workgroup fails the run before anything is created.
     */
    public void start(Exchange exchange) {
        String runId = exchange.getIn().getHeader(PipelineRunner.RUN_ID, String.class);
        Map<?, ?> body = exchange.getIn().getBody(Map.class);
        Object create = body == null ? null : body.get("createTarget");
        Target target = new Target(config.sourceCluster().orElse(null), config.namespace().orElse(null),
                config.workgroup().orElse(null), create == null ? config.createTarget() : Boolean.TRUE.equals(create),
                MigrationPlanner.tables(config.tables().orElse(List.of())));
        Instant now = clock.instant();
        String snapshot = config.snapshot().orElseGet(() -> "shiftwork-migration-" + SUFFIX.format(now) + "-" + runId.substring(0, 8));
        State state = State.start(snapshot, config.snapshot().isEmpty(), now.plus(config.timeout()));
        exchange.setProperty(PipelineRunner.OWNS_RUN, true);
        save(runId, target, MigrationPlanner.begin(state));
        advance(runId);
    }

    /** The master's timer: moves on every unfinished migration run (also those of an instance that stopped). */
    public void tick() {
        for (Run run : runs.listByPipeline(PIPELINE, TICK_DEPTH)) {
            if (!run.status().terminal() && run.context() != null && run.context().containsKey(STATE)) {
                try {
                    advance(run.runId());
                } catch (RuntimeException e) {
                    LOG.warnf(e, "migration run %s: could not move it on; next tick", run.runId());
                }
            }
        }
    }

    /**
     * One decision: observes AWS, asks the planner, carries out its actions, records the new state and steps, and
     * ends the run when the planner says it ended. An action AWS refuses fails the run.
     */
    public synchronized void advance(String runId) {
        Run run = runs.find(runId).orElseThrow(() -> new IllegalStateException("run " + runId + " is gone"));
        if (run.status().terminal()) {
            return;
        }
        Target target = json.convertValue(run.context().get(TARGET), Target.class);
        State state = json.convertValue(run.context().get(STATE), State.class);
        Decision d = MigrationPlanner.next(target, state, aws.observe(target, state, clock.instant()));
        State after = d.state();
        for (Action action : d.actions()) {
            if (action == Action.REPORT) {
                continue; // once the state is recorded
            }
            if (runs.find(runId).map(r -> r.status().terminal()).orElse(true)) {
                // cancelled (or ended elsewhere) since this decision began: no snapshot or restore after a cancel
                LOG.infof("migration %s ended while deciding: %s not carried out", runId, action);
                return;
            }
            try {
                after = aws.act(action, target, after);
            } catch (RuntimeException e) {
                String why = action + " failed: " + PipelineRunner.message(e);
                Decision failed = new Decision(after.failed(why), List.of(Action.REPORT),
                        concat(d.steps(), StepChange.fail(MigrationPlanner.step(after.phase()), why)));
                finish(runId, target, failed);
                return;
            }
        }
        finish(runId, target, new Decision(after, d.actions(), d.steps()));
    }

    private void finish(String runId, Target target, Decision d) {
        save(runId, target, d);
        State s = d.state();
        if (d.actions().contains(Action.REPORT)) {
            report(runId, target, s);
        }
        if (s.phase() == MigrationPlanner.Phase.SUCCEEDED) {
            runner.succeed(runId);
        } else if (s.phase() == MigrationPlanner.Phase.FAILED) {
            runner.fail(runId, s.error());
        }
    }

    private static List<StepChange> concat(List<StepChange> steps, StepChange more) {
        List<StepChange> all = new java.util.ArrayList<>(steps);
        all.add(more);
        return all;
    }

    @SuppressWarnings("unchecked")
    private void save(String runId, Target target, Decision d) {
        Instant now = clock.instant();
        Map<String, Object> state = json.convertValue(d.state(), Map.class);
        Map<String, Object> resolved = json.convertValue(target, Map.class);
        runs.update(runId, r -> {
            if (r.status().terminal()) {
                return r;
            }
            Run x = r.withContext(STATE, state).withContext(TARGET, resolved);
            for (StepChange c : d.steps()) {
                x = apply(x, c, now);
            }
            return x.withStatus(RunStatus.WAITING);
        });
    }

    private static Run apply(Run r, StepChange c, Instant now) {
        switch (c.kind()) {
            case BEGIN -> {
                return r.stepOpen(c.step()) ? r : r.withStep(Step.started(c.step(), now));
            }
            case SUCCEED -> {
                Run open = r.stepOpen(c.step()) ? r : r.withStep(Step.started(c.step(), now));
                return open.updateStep(c.step(), s -> s.finished(RunStatus.SUCCEEDED, now, c.output(), null));
            }
            default -> {
                Run open = r.stepOpen(c.step()) ? r : r.withStep(Step.started(c.step(), now));
                return open.updateStep(c.step(), s -> s.finished(RunStatus.FAILED, now, c.output(), c.error()));
            }
        }
    }

    private void report(String runId, Target t, State s) {
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("event", "Migration");
        report.put("runId", runId);
        report.put("outcome", s.phase() == MigrationPlanner.Phase.SUCCEEDED ? "SUCCEEDED" : "FAILED");
        report.put("sourceCluster", t.sourceCluster());
        report.put("snapshot", s.snapshot());
        report.put("namespace", t.namespace());
        report.put("workgroup", t.workgroup());
        report.put("namespaceAvailableAt", s.namespaceAvailableAt() == null ? null : s.namespaceAvailableAt().toString());
        report.put("firstQueryAnsweredAt", s.firstQueryAnsweredAt() == null ? null : s.firstQueryAnsweredAt().toString());
        Map<String, Object> tables = new LinkedHashMap<>();
        if (s.sourceCounts() != null) {
            for (String table : t.tables()) {
                Long a = s.sourceCounts().get(table);
                Long b = s.targetCounts() == null ? null : s.targetCounts().get(table);
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("source", a);
                row.put("target", b);
                row.put("match", a != null && a.equals(b));
                tables.put(table, row);
            }
        }
        report.put("tables", tables);
        report.put("error", s.error());
        report.put("run", "/runs/" + runId);
        try {
            camel.sendBodyAndHeader("direct:migration-report", json.writeValueAsString(report), Sns2Constants.SUBJECT,
                    "Shiftwork: migration of " + t.sourceCluster() + " into " + t.namespace() + " " + report.get("outcome"));
        } catch (Exception e) {
            // the run's own record says what happened; a lost report must not change it
            LOG.errorf(e, "migration run %s: could not publish the report", runId);
        }
    }
}
