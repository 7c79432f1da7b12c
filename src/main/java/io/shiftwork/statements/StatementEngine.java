package io.shiftwork.statements;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.function.UnaryOperator;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Named;

import org.apache.camel.Exchange;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.shiftwork.pipelines.PipelineRunner;
import io.shiftwork.pipelines.Run;
import io.shiftwork.pipelines.RunStatus;
import io.shiftwork.pipelines.RunStore;
import io.shiftwork.pipelines.Step;

/**
 * Runs SQL steps through the Data API and resumes their runs when Redshift says they are done — Step
 * Functions' waitForTaskToken without Step Functions. The correlation is stored before the statement is
 * submitted, keyed by the statement name Redshift echoes in its completion event; completions from events and
 * from polling are applied once by a conditional update.
 */
@ApplicationScoped
@Named("statementEngine")
@RegisterForReflection
public class StatementEngine {

    /** Header: the SQL of a statement step; {@code :name} placeholders are bound from the run's inputs. */
    public static final String SQL = "shiftworkSql";
    /** Header (Map): explicit values for placeholders, over the run's inputs. */
    public static final String SQL_PARAMETERS = "shiftworkSqlParameters";
    /** Header: instead of {@code shiftworkSql}, a file under {@code sql/} holding the step's one statement. */
    public static final String SQL_FILE = "shiftworkSqlFile";
    /**
     * Header (List of SQL): instead of {@code shiftworkSql}, a batch step's statements, run by BatchExecuteStatement in
     * one transaction; no placeholders (BatchExecuteStatement takes no parameters).
     */
    public static final String SQL_BATCH = "shiftworkSqlBatch";
    /** Header (Map): identifiers recorded with the step when it is submitted (an UNLOAD's S3 location, ...). */
    public static final String AWS_IDS = "shiftworkAwsIds";
    public static final String CLUSTER = "shiftworkClusterIdentifier";
    public static final String WORKGROUP = "shiftworkWorkgroupName";
    public static final String DATABASE = "shiftworkDatabase";
    public static final String DB_USER = "shiftworkDbUser";
    public static final String SECRET_ARN = "shiftworkSecretArn";
    /**
     * Header: how long the step's statement may run (ISO-8601, {@code PT2H}; default {@code
     * shiftwork.statements.step-timeout}, 24 h, the Data API's limit); past it the statement is cancelled and the step
     * and run end TIMED_OUT (failure route and alert).
     */
    public static final String STEP_TIMEOUT = "shiftworkStepTimeout";
    /** Exchange property: the step submitted a statement and waits for its completion. */
    public static final String WAITING = "shiftworkWaiting";

    private static final Logger LOG = Logger.getLogger(StatementEngine.class);
    /** When the completion this thread is applying was received: the next submit measures its overhead. */
    private static final ThreadLocal<Long> COMPLETION_RECEIVED = new ThreadLocal<>();

    private final StatementClient client;
    private final Correlations correlations;
    private final RunStore runs;
    private final PipelineRunner runner;
    private final StatementsConfig config;
    private final StepSequence sequence;
    private final MeterRegistry metrics;
    private final ObjectMapper json;
    private final SqlFiles sqlFiles;
    @jakarta.inject.Inject
    StepResults stepResults;

    public StatementEngine(StatementClient client, Correlations correlations, RunStore runs, PipelineRunner runner,
            StatementsConfig config, StepSequence sequence, MeterRegistry metrics, ObjectMapper json, SqlFiles sqlFiles) {
        this.sqlFiles = sqlFiles;
        this.client = client;
        this.correlations = correlations;
        this.runs = runs;
        this.runner = runner;
        this.config = config;
        this.sequence = sequence;
        this.metrics = metrics;
        this.json = json;
        this.resumeOverhead = io.micrometer.core.instrument.Timer.builder("shiftwork.statements.resume.overhead")
                .description("from a completion received to the next step's ExecuteStatement sent")
                .publishPercentiles(0.5, 0.9, 0.99).register(metrics);
        java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
        this.pollers = java.util.concurrent.Executors.newFixedThreadPool(config.pollThreads(), r -> {
            Thread t = new Thread(r, "statement-poller-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** A paused cluster a step is aimed at is woken first (pause/resume), or the step fails saying why. */
    @jakarta.inject.Inject
    ClusterWake wake;

    private final io.micrometer.core.instrument.Timer resumeOverhead;
    /** Statements submitted under a claim whose run is not written yet: their early completions wait for it. */
    private final Map<String, CountDownLatch> inFlight = new ConcurrentHashMap<>();
    /** Completions being applied on this replica: the recovery leaves them alone. */
    private final java.util.Set<String> applying = ConcurrentHashMap.newKeySet();
    /** A completion that came before its step was recorded is looked at again after this. */
    private static final Duration EARLY_RETRY = Duration.ofSeconds(2);
    private volatile long nextRecovery;
    private final java.util.concurrent.ExecutorService pollers;

    /**
     * Submits the step's SQL (header {@code shiftworkSql}) for the run and step on the exchange, records the
     * correlation and leaves the step WAITING. Target headers override the configured defaults.
     */
    public void submit(Exchange exchange) {
        String runId = exchange.getIn().getHeader(PipelineRunner.RUN_ID, String.class);
        String pipeline = exchange.getIn().getHeader(PipelineRunner.PIPELINE, String.class);
        String step = exchange.getIn().getHeader(StepSequence.STEP, String.class);
        int index = exchange.getIn().getHeader(StepSequence.STEP_INDEX, 0, Integer.class);
        String sql = exchange.getIn().getHeader(SQL, String.class);
        String file = exchange.getIn().getHeader(SQL_FILE, String.class);
        if ((sql == null || sql.isBlank()) && file != null) {
            sql = sqlFiles.load(file);
        }
        if (runId == null || step == null) {
            throw new IllegalStateException("a statement step runs inside a step sequence (headers "
                    + PipelineRunner.RUN_ID + ", " + StepSequence.STEP + ")");
        }
        java.util.List<String> batch = (sql == null || sql.isBlank()) ? batch(exchange, step) : null;
        if (batch == null && (sql == null || sql.isBlank())) {
            throw new IllegalArgumentException("step '" + step + "' has no SQL (header " + SQL + ", " + SQL_FILE + " or "
                    + SQL_BATCH + ")");
        }
        String statementName = StatementNames.of(pipeline, runId, step, 1);
        StatementRequest request = batch != null ? batchRequest(exchange, batch, statementName)
                : request(exchange, sql, statementName);
        if (request.clusterIdentifier() != null) {
            // before the correlation is recorded: a wait for a resume must not look like a lost submit
            Optional<String> woke = wake.ensureAvailable(request.clusterIdentifier(), pipeline + " step " + step);
            if (woke.isPresent()) {
                request = request.withStepId("clusterResumed", woke.get());
            }
        }
        long now = System.currentTimeMillis();
        Correlation recorded = new Correlation(request.statementName(), runId, pipeline, step, index, null,
                Correlation.SUBMITTING, now, now + config.submitGrace().toMillis(), 0, 0, write(request), null,
                now + stepTimeout(exchange, step).toMillis());
        @SuppressWarnings("unchecked")
        UnaryOperator<Run> pending = exchange.getProperty(StepSequence.PENDING, UnaryOperator.class);
        if (pending != null) {
            submitClaimed(request, recorded, pending);
            exchange.removeProperty(StepSequence.PENDING);
        } else {
            submitRecorded(request, recorded);
        }
        metrics.counter("shiftwork.statements.submitted").increment();
        exchange.setProperty(WAITING, true);
    }

    /**
     * Outside a claimed completion: recorded SUBMITTING first, so a crash before the submit is re-submitted. A
     * refused submit fails the correlation and the step (thrown); an unknown outcome leaves the step waiting.
     */
    private void submitRecorded(StatementRequest request, Correlation c) {
        correlations.create(c);
        CountDownLatch written = new CountDownLatch(1);
        inFlight.put(request.statementName(), written);
        try {
            recordOverhead();
            String statementId;
            try {
                statementId = client.submit(request);
            } catch (RuntimeException e) {
                submitFailed(c, true, e, UnaryOperator.identity());
                return;
            }
            correlations.submitted(request.statementName(), statementId,
                    Math.min(firstPoll(System.currentTimeMillis()), c.deadlineMs()));
            runs.update(c.runId(), waiting(c.step(), request, statementId));
        } finally {
            inFlight.remove(request.statementName(), written);
            written.countDown();
        }
    }

    /**
     * A run was cancelled: CancelStatement for each statement its open steps waited for. Their ABORTED completion
     * is then applied once, to a run that has ended, and changes nothing.
     */
    void onRunCancelled(@jakarta.enterprise.event.Observes io.shiftwork.pipelines.RunCancelled cancelled) {
        for (Step s : cancelled.before().steps()) {
            String statementId = s.awsIds() == null ? null : s.awsIds().get("statementId");
            if (s.status().terminal() || statementId == null) {
                continue;
            }
            try {
                boolean stopped = client.cancel(statementId);
                LOG.infof("run %s cancelled: statement %s of step %s %s", cancelled.before().runId(), statementId,
                        s.name(), stopped ? "cancelled" : "had ended already");
            } catch (RuntimeException e) {
                LOG.warnf("run %s cancelled, but CancelStatement %s failed: %s", cancelled.before().runId(), statementId,
                        e.getMessage());
            }
        }
    }

    private long firstPoll(long now) {
        return now + (config.events() ? config.eventTimeout() : config.pollInitial()).toMillis();
    }

    /**
     * Carries out what {@link CorrelationLifecycle} says of a failed ExecuteStatement: a refusal fails the
     * correlation for good and is thrown (the step and run fail, their failure route and alert run); an unknown
     * outcome keeps it SUBMITTING for a re-submit with the same ClientToken after a backoff, and the step waits.
     *
     * @param recorded the correlation is in DynamoDB already (else it is written here)
     * @param pending the run's change not yet written (under a claimed completion), written with the step waiting
     */
    private void submitFailed(Correlation c, boolean recorded, RuntimeException e, UnaryOperator<Run> pending) {
        String error = PipelineRunner.message(e);
        boolean unknown = StatementClient.outcomeUnknown(e);
        CorrelationLifecycle.Transition t = CorrelationLifecycle.next(c.lifecycle(), unknown
                ? new CorrelationLifecycle.SubmitOutcomeUnknown(error) : new CorrelationLifecycle.SubmitRefused(error),
                config.submitAttempts());
        int attempts = t.state().attempts();
        metrics.counter("shiftwork.statements.submit.failed", "outcome", unknown ? "unknown" : "refused").increment();
        LOG.warnf("ExecuteStatement of %s %s (attempt %d): %s", c.statementName(),
                unknown ? "has an unknown outcome" : "was refused", attempts, error);
        boolean fail = false;
        for (CorrelationLifecycle.Action action : t.actions()) {
            switch (action) {
                case RECORD_FAILURE -> {
                    if (recorded) {
                        correlations.refused(c.statementName(), attempts, error);
                    } else {
                        correlations.create(new Correlation(c.statementName(), c.runId(), c.pipeline(), c.step(),
                                c.stepIndex(), null, Correlation.FAILED, c.submittedAtMs(), c.nextPollAtMs(), 0, attempts,
                                c.requestJson(), new StatementState(null, Correlation.FAILED, 0, error), c.deadlineMs()));
                    }
                }
                case RETRY_LATER -> {
                    long next = System.currentTimeMillis() + submitBackoff(attempts).toMillis();
                    if (recorded) {
                        correlations.retryLater(c.statementName(), attempts, next, error);
                    } else {
                        correlations.create(new Correlation(c.statementName(), c.runId(), c.pipeline(), c.step(),
                                c.stepIndex(), null, Correlation.SUBMITTING, c.submittedAtMs(), next, 0, attempts,
                                c.requestJson(), null, c.deadlineMs()));
                    }
                }
                case STEP_WAITING -> runs.update(c.runId(), r -> {
                    Run x = pending.apply(r);
                    return x.stepOpen(c.step())
                            ? x.updateStep(c.step(), st -> st.waiting()).withStatus(RunStatus.WAITING) : x;
                });
                case FAIL_RUN -> fail = true;
                default -> throw new IllegalStateException("unexpected " + action + " after a failed submit");
            }
        }
        if (fail) {
            throw e;
        }
    }

    /** Twice the recovery interval, doubling per attempt, at most the apply timeout. */
    private Duration submitBackoff(int attempts) {
        return Backoff.capped(config.recoveryInterval().multipliedBy(2), config.applyTimeout(), attempts - 1);
    }

    /** The run's change once a step's statement is submitted: the step WAITING with the statement's id. */
    private static UnaryOperator<Run> waiting(String step, StatementRequest request, String statementId) {
        return r -> r.stepOpen(step)
                ? r.updateStep(step, s -> request.submitted(s, statementId)).withStatus(RunStatus.WAITING)
                : r;
    }

    /**
     * Under a claimed completion: ExecuteStatement is the first call after the claim — a crash before the run is
     * written is recovered by replaying the claim, whose re-submit the ClientToken makes return the same statement.
     * Then one write of the run (the previous step's end, this step WAITING) and the correlation. A completion that
     * arrives before the run is written waits for it ({@link #inFlight}).
     */
    private void submitClaimed(StatementRequest request, Correlation c, UnaryOperator<Run> pending) {
        CountDownLatch written = new CountDownLatch(1);
        inFlight.put(request.statementName(), written);
        try {
            recordOverhead();
            String statementId;
            try {
                statementId = client.submit(request);
            } catch (RuntimeException e) {
                submitFailed(c, false, e, pending);
                return;
            }
            UnaryOperator<Run> submitted = waiting(c.step(), request, statementId);
            Optional<Run> after = runs.update(c.runId(), r -> submitted.apply(pending.apply(r)));
            if (after.isPresent() && after.get().status() == RunStatus.CANCELLED) {
                // the run was cancelled while this step's predecessor was being applied: no next step
                LOG.infof("run %s was cancelled while %s was submitted: cancelling it", c.runId(), c.statementName());
                client.cancel(statementId);
            }
            correlations.create(new Correlation(c.statementName(), c.runId(), c.pipeline(), c.step(), c.stepIndex(),
                    statementId, Correlation.WAITING, c.submittedAtMs(),
                    Math.min(firstPoll(System.currentTimeMillis()), c.deadlineMs()), 0, 0, c.requestJson(), null,
                    c.deadlineMs()));
        } finally {
            inFlight.remove(request.statementName(), written);
            written.countDown();
        }
    }

    private void recordOverhead() {
        Long received = COMPLETION_RECEIVED.get();
        if (received != null) {
            COMPLETION_RECEIVED.remove();
            resumeOverhead.record(System.nanoTime() - received, java.util.concurrent.TimeUnit.NANOSECONDS);
        }
    }

    private StatementRequest request(Exchange exchange, String sql, String statementName) {
        Map<String, Object> inputs = new HashMap<>();
        Object body = exchange.getIn().getBody();
        if (body instanceof Map<?, ?> m) {
            m.forEach((k, v) -> inputs.put(String.valueOf(k), v));
        }
        Map<?, ?> explicit = exchange.getIn().getHeader(SQL_PARAMETERS, Map.class);
        if (explicit != null) {
            explicit.forEach((k, v) -> inputs.put(String.valueOf(k), v));
        }
        Map<String, String> bound = new LinkedHashMap<>();
        for (String name : NamedParameters.toPositional(sql).names()) {
            Object value = inputs.get(name);
            if (value == null) {
                throw new IllegalArgumentException("the SQL uses :" + name + " but the run has no value for '" + name
                        + "' (the Data API has no NULL parameter: write NULL in the SQL)");
            }
            if (String.valueOf(value).isEmpty()) {
                // SqlParameter.value has a minimum length of 1: refused here, before anything is submitted
                throw new IllegalArgumentException("parameter '" + name + "' is empty: the Data API takes no zero-length "
                        + "parameter value");
            }
            bound.put(name, String.valueOf(value));
        }
        // A step's own target wins over the configured one; at the same level a cluster wins over a workgroup.
        String stepWorkgroup = exchange.getIn().getHeader(WORKGROUP, String.class);
        String stepCluster = exchange.getIn().getHeader(CLUSTER, String.class);
        String cluster = null;
        String workgroup = null;
        if (stepWorkgroup != null && !stepWorkgroup.isBlank()) {
            workgroup = stepWorkgroup;
        } else if (stepCluster != null && !stepCluster.isBlank()) {
            cluster = stepCluster;
        } else if (config.clusterIdentifier().isPresent()) {
            cluster = config.clusterIdentifier().get();
        } else {
            workgroup = config.workgroupName().orElseThrow(() -> new IllegalArgumentException("no Redshift target: set "
                    + "shiftwork.statements.cluster-identifier or shiftwork.statements.workgroup-name (or the step's "
                    + CLUSTER + " / " + WORKGROUP + " header)"));
        }
        String dbUser = workgroup != null ? null : header(exchange, DB_USER, config.dbUser());
        String secret = header(exchange, SECRET_ARN, config.secretArn());
        if (secret != null) {
            dbUser = null;
        }
        return new StatementRequest(cluster, workgroup, header(exchange, DATABASE, Optional.of(config.database())),
                dbUser, secret, sql, bound, statementName, stepIds(exchange), null);
    }

    /** A batch step's statements (header {@code shiftworkSqlBatch}), null when the step has none. */
    private static java.util.List<String> batch(Exchange exchange, String step) {
        Object raw = exchange.getIn().getHeader(SQL_BATCH);
        if (raw == null) {
            return null;
        }
        if (!(raw instanceof java.util.List<?> l) || l.isEmpty() || l.size() > StepDefinition.MAX_BATCH) {
            throw new IllegalArgumentException("step '" + step + "': header " + SQL_BATCH + " must be a list of 1 to "
                    + StepDefinition.MAX_BATCH + " SQL statements");
        }
        java.util.List<String> sqls = l.stream().map(o -> o == null ? "" : String.valueOf(o).strip()).toList();
        for (int i = 0; i < sqls.size(); i++) {
            if (sqls.get(i).isEmpty()) {
                throw new IllegalArgumentException("step '" + step + "': statement " + (i + 1) + " of the batch is empty");
            }
            if (!NamedParameters.toPositional(sqls.get(i)).names().isEmpty()) {
                throw new IllegalArgumentException("step '" + step + "': statement " + (i + 1) + " of the batch uses :"
                        + NamedParameters.toPositional(sqls.get(i)).names().get(0)
                        + ", but BatchExecuteStatement takes no parameters (use a sql step)");
            }
        }
        return sqls;
    }

    /** A batch: the same target as a single statement, its statements in {@code sqls}, no parameters. */
    private StatementRequest batchRequest(Exchange exchange, java.util.List<String> sqls, String statementName) {
        StatementRequest one = request(exchange, "SELECT 1", statementName);
        return new StatementRequest(one.clusterIdentifier(), one.workgroupName(), one.database(), one.dbUser(),
                one.secretArn(), null, Map.of(), statementName, one.stepIds(), sqls);
    }

    private Duration stepTimeout(Exchange exchange, String step) {
        String text = exchange.getIn().getHeader(STEP_TIMEOUT, String.class);
        if (text == null || text.isBlank()) {
            return config.stepTimeout();
        }
        try {
            Duration d = Duration.parse(text.trim());
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("not positive");
            }
            return d;
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("step '" + step + "': header " + STEP_TIMEOUT + " must be a positive ISO-8601 "
                    + "duration such as PT2H, got '" + text + "'");
        }
    }

    private static Map<String, String> stepIds(Exchange exchange) {
        Map<?, ?> ids = exchange.getIn().getHeader(AWS_IDS, Map.class);
        if (ids == null || ids.isEmpty()) {
            return null;
        }
        Map<String, String> out = new LinkedHashMap<>();
        ids.forEach((k, v) -> out.put(String.valueOf(k), String.valueOf(v)));
        return out;
    }

    private static String header(Exchange exchange, String name, Optional<String> fallback) {
        String v = exchange.getIn().getHeader(name, String.class);
        return v != null && !v.isBlank() ? v : fallback.orElse(null);
    }

    /**
     * Applies a statement's completion once: the step finishes, then the run goes on with its next step
     * (FINISHED) or fails with the Data API's error text and an alert (FAILED, ABORTED). Duplicates do nothing.
     */
    public void complete(String statementName, StatementState state, String source) {
        if (COMPLETION_RECEIVED.get() == null) {
            COMPLETION_RECEIVED.set(System.nanoTime());
        }
        try {
            applyCompletion(statementName, state, source);
        } finally {
            COMPLETION_RECEIVED.remove();
        }
    }

    private void applyCompletion(String statementName, StatementState state, String source) {
        Optional<Correlation> claimed = correlations.claim(statementName, state,
                System.currentTimeMillis() + config.applyTimeout().toMillis());
        if (claimed.isEmpty()) {
            metrics.counter("shiftwork.statements.completions.duplicate", "source", source).increment();
            return;
        }
        metrics.counter("shiftwork.statements.completions", "source", source, "state", state.status()).increment();
        apply(claimed.get(), state);
    }

    /**
     * Applies a claimed completion to its run: the step finishes, then the run goes on with its next step
     * (FINISHED) or fails with the Data API's error text and an alert (FAILED, ABORTED). A completion that came
     * before its run recorded the step stays claimed and is tried again shortly.
     */
    private void apply(Correlation c, StatementState state) {
        applying.add(c.statementName());
        try {
            Optional<Run> found = runShowing(c);
            Step step = found.map(r -> r.step(c.step())).orElse(null);
            if (found.isEmpty() || step == null
                    && (found.get().status().terminal() || StepSequence.indexOf(found.get(), c.step()) < 0)) {
                LOG.warnf("completion of %s: run %s %s; dropped", c.statementName(), c.runId(),
                        found.isEmpty() ? "does not exist" : "has no such step to come");
                correlations.applied(c.statementName(), state.status());
                return;
            }
            if (step == null) {
                correlations.retryAt(c.statementName(), System.currentTimeMillis() + EARLY_RETRY.toMillis());
                return;
            }
            if (step.status().terminal()) {
                correlations.applied(c.statementName(), state.status());
                return;
            }
            Instant now = Instant.now();
            int index = c.stepIndex() >= 0 ? c.stepIndex() : StepSequence.indexOf(found.get(), c.step());
            StepDefinition declared = StepSequence.step(found.get(), index);
            if (declared != null && declared.kind() == StepDefinition.Kind.BATCH && state.subStatements() == null) {
                // a claim applied again after a crash holds the batch's status only: its sub-statements are described
                state = client.describe(c.statementId());
            }
            if ("FINISHED".equals(state.status())) {
                Map<String, Object> output = new LinkedHashMap<>();
                output.put("statementId", state.statementId() != null ? state.statementId() : c.statementId());
                output.put("rows", state.subStatements() == null ? state.rows() : subRows(state));
                putSubStatements(output, state);
                if (declared != null && declared.results() != null) {
                    try {
                        output.putAll(stepResults.deliver(declared, c.runId(), c.pipeline(), c.statementId()));
                    } catch (RuntimeException e) {
                        runner.fail(c.runId(), "step '" + c.step() + "': " + PipelineRunner.message(e));
                        correlations.applied(c.statementName(), state.status());
                        return;
                    }
                }
                // the step's end is written together with the next step's start
                sequence.advance(c.runId(), index + 1, r -> r.stepOpen(c.step())
                        ? r.updateStep(c.step(), s -> s.finished(RunStatus.SUCCEEDED, now, output, null)).withStatus(RunStatus.RUNNING)
                        : r, true);
            } else {
                String error = state.error() != null && !state.error().isBlank() ? state.error()
                        : "statement " + c.statementId() + " ended " + state.status();
                if (state.subStatements() != null) {
                    // the batch's step keeps what each sub-statement reported (the one that failed, those aborted)
                    Map<String, Object> output = new LinkedHashMap<>();
                    output.put("statementId", c.statementId());
                    putSubStatements(output, state);
                    runs.update(c.runId(), r -> r.stepOpen(c.step()) && !r.status().terminal()
                            ? r.updateStep(c.step(), s -> s.finished(RunStatus.FAILED, now, output, error)) : r);
                }
                runner.fail(c.runId(), error); // fails the open step too, with the same error
            }
            correlations.applied(c.statementName(), state.status());
        } finally {
            applying.remove(c.statementName());
        }
    }

    private static long subRows(StatementState state) {
        return state.subStatements().stream().mapToLong(StatementState.SubStatement::rows).sum();
    }

    /** A batch's sub-statements as the step records them: id ({@code <id>:N}), status, rows, error. */
    private static void putSubStatements(Map<String, Object> output, StatementState state) {
        if (state.subStatements() == null) {
            return;
        }
        java.util.List<Map<String, Object>> subs = new java.util.ArrayList<>();
        for (StatementState.SubStatement sub : state.subStatements()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", sub.id());
            m.put("status", sub.status());
            m.put("rows", sub.rows());
            if (sub.error() != null && !sub.error().isBlank()) {
                m.put("error", sub.error());
            }
            subs.add(m);
        }
        output.put("subStatements", subs);
    }

    /**
     * The run, once it shows the correlation's step: a completion can come before the submitter wrote the step —
     * on this replica it waits for that write, otherwise it reads again for a moment.
     */
    private Optional<Run> runShowing(Correlation c) {
        Optional<Run> run = runs.current(c.runId());
        if (run.isPresent() && run.get().step(c.step()) != null) {
            return run;
        }
        CountDownLatch written = inFlight.get(c.statementName());
        try {
            if (written != null && written.await(30, java.util.concurrent.TimeUnit.SECONDS)) {
                run = runs.current(c.runId());
                if (run.isPresent() && run.get().step(c.step()) != null) {
                    return run;
                }
            }
            for (int attempt = 0; attempt < 5; attempt++) {
                run = runs.find(c.runId());
                if (run.isEmpty() || run.get().step(c.step()) != null) {
                    return run;
                }
                Thread.sleep(100);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return run;
    }

    private static final int EARLY_EVENT_LOOKS = 20;
    private static final long EARLY_EVENT_PAUSE_MS = 250;

    /** What became of a completion event. */
    public enum EventVerdict {
        /** Confirmed by DescribeStatement and applied. */
        APPLIED,
        /** Applied (or being applied) before: nothing done, nothing described. */
        DUPLICATE,
        /** The statement is not recorded as submitted yet, or DescribeStatement says it has not ended: left to the poller. */
        UNCONFIRMED,
        /** The event's statement id is not the one recorded for its statement name. */
        FORGED
    }

    /**
     * A completion event: applied only if its statement id is the one recorded for its name and DescribeStatement
     * of that statement (the one call per statement in event mode, which also gives a failure's error text) says it
     * ended — the statement's own status decides, not the event's.
     */
    public EventVerdict completeFromEvent(String statementName, String statementId, String state, long rows) {
        COMPLETION_RECEIVED.set(System.nanoTime());
        try {
            Optional<Correlation> c = correlations.find(statementName);
            if (c.isEmpty() || c.get().statementId() == null) {
                // submitted under a claim on this replica, not written yet: wait for that write
                CountDownLatch written = inFlight.get(statementName);
                if (written != null && written.await(30, java.util.concurrent.TimeUnit.SECONDS)) {
                    c = correlations.find(statementName);
                }
            }
            // a trivial statement can finish before its submitter (maybe another replica) records its id, which
            // follows ExecuteStatement by milliseconds: look again briefly rather than leave it to the poller's
            // event-timeout (a minute)
            for (int look = 0; look < EARLY_EVENT_LOOKS && (c.isEmpty() || c.get().statementId() == null); look++) {
                Thread.sleep(EARLY_EVENT_PAUSE_MS);
                c = correlations.find(statementName);
            }
            CorrelationLifecycle.State recorded = c.map(Correlation::lifecycle)
                    .orElse(new CorrelationLifecycle.State(CorrelationLifecycle.Status.SUBMITTING, null, 0));
            StatementState described = null;
            if (recorded.status() == CorrelationLifecycle.Status.WAITING && statementId.equals(recorded.statementId())) {
                described = client.describe(statementId);
            }
            CorrelationLifecycle.Transition t = CorrelationLifecycle.next(recorded, new CorrelationLifecycle.CompletionSeen(
                    statementId, described == null ? null : described.status()), config.submitAttempts());
            switch (t.actions().get(0)) {
                case CLAIM_AND_APPLY -> {
                    complete(statementName, described, "event");
                    return EventVerdict.APPLIED;
                }
                case REJECT -> {
                    LOG.warnf("completion event for %s names statement %s; %s is recorded: rejected", statementName,
                            statementId, recorded.statementId());
                    return EventVerdict.FORGED;
                }
                case POLL_LATER -> {
                    metrics.counter("shiftwork.statements.completions.unconfirmed").increment();
                    return EventVerdict.UNCONFIRMED;
                }
                default -> {
                    metrics.counter("shiftwork.statements.completions.duplicate", "source", "event").increment();
                    return EventVerdict.DUPLICATE;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return EventVerdict.UNCONFIRMED;
        } finally {
            COMPLETION_RECEIVED.remove();
        }
    }

    /**
     * Polls the statements whose event is overdue (or all, with events off), with capped exponential backoff, and
     * every {@code recovery-interval} recovers what a crash left behind. Returns how many it looked at.
     */
    public int pollDue() {
        long now = System.currentTimeMillis();
        java.util.List<Correlation> due = correlations.due(Correlation.WAITING, now, 200);
        int seen = due.size();
        java.util.List<java.util.concurrent.Future<?>> work = new java.util.ArrayList<>();
        for (Correlation c : due) {
            work.add(pollers.submit(() -> poll(c, now)));
        }
        for (java.util.concurrent.Future<?> f : work) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return seen;
            } catch (java.util.concurrent.ExecutionException e) {
                LOG.warnf("polling failed: %s", e.getCause().getMessage());
            }
        }
        if (now >= nextRecovery) {
            nextRecovery = now + config.recoveryInterval().toMillis();
            int recovered = recover(now);
            if (recovered >= config.recoveryBatch()) {
                nextRecovery = now; // a full batch: more may be due, the next tick goes on with the backlog
            }
            seen += recovered;
        }
        return seen;
    }

    /**
     * Completions claimed by a replica that died (or that came before their step was recorded), and statements
     * recorded but never confirmed submitted (a crash between the two, which the ClientToken makes safe to submit
     * again).
     */
    private int recover(long now) {
        int seen = 0;
        for (Correlation c : correlations.due(Correlation.APPLYING, now, config.recoveryBatch())) {
            // a claim whose claimant died, or a completion that came before its step was recorded
            if (applying.contains(c.statementName()) || c.completion() == null
                    || !correlations.reclaim(c.statementName(), c.nextPollAtMs(), now + config.applyTimeout().toMillis())) {
                continue;
            }
            seen++;
            try {
                metrics.counter("shiftwork.statements.completions.reapplied").increment();
                apply(c, c.completion());
            } catch (RuntimeException e) {
                LOG.warnf("applying the completion of %s again failed: %s", c.statementName(), e.getMessage());
            }
        }
        // Soonest-due first; each one taken moves behind every other (lease, then its backoff), so a statement that
        // keeps failing waits its turn and never holds the others back.
        java.util.List<Correlation> due = correlations.due(Correlation.SUBMITTING, now, config.recoveryBatch());
        java.util.List<java.util.concurrent.Future<?>> work = new java.util.ArrayList<>();
        for (Correlation c : due) {
            work.add(pollers.submit(() -> resubmit(c, now)));
        }
        for (java.util.concurrent.Future<?> f : work) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (java.util.concurrent.ExecutionException e) {
                LOG.warnf("re-submitting failed: %s", e.getCause().getMessage());
            }
        }
        return Math.max(seen, due.size());
    }

    /**
     * A statement recorded but not confirmed submitted: a submitter that crashed, or a submit whose outcome was
     * unknown. Submitted again with its ClientToken (so it runs once) while its run still waits for it; a refusal or
     * too many unknown outcomes fail the run.
     */
    private void resubmit(Correlation c, long now) {
        if (!correlations.lease(c.statementName(), c.nextPollAtMs(), now + config.submitGrace().toMillis())) {
            return; // another replica took it
        }
        Optional<Run> run = runs.find(c.runId());
        boolean waits = run.isPresent() && !run.get().status().terminal() && run.get().stepOpen(c.step());
        CorrelationLifecycle.Transition t = CorrelationLifecycle.next(c.lifecycle(),
                new CorrelationLifecycle.RetryDue(waits), config.submitAttempts());
        if (!t.actions().contains(CorrelationLifecycle.Action.SUBMIT)) {
            correlations.refused(c.statementName(), c.attempts(), "not submitted: run " + c.runId()
                    + (run.isEmpty() ? " does not exist" : " no longer waits for step '" + c.step() + "'"));
            return;
        }
        StatementRequest request;
        try {
            request = json.readValue(c.requestJson(), StatementRequest.class);
        } catch (JsonProcessingException | RuntimeException e) {
            String error = "step '" + c.step() + "': its recorded request cannot be read: " + e.getMessage();
            correlations.refused(c.statementName(), c.attempts(), error);
            runner.fail(c.runId(), error);
            return;
        }
        metrics.counter("shiftwork.statements.resubmitted").increment();
        String id;
        try {
            id = client.submit(request);
        } catch (RuntimeException e) {
            try {
                submitFailed(c, true, e, UnaryOperator.identity());
            } catch (RuntimeException refused) {
                runner.fail(c.runId(), "step '" + c.step() + "': " + PipelineRunner.message(refused));
            }
            return;
        }
        correlations.submitted(c.statementName(), id, Math.min(firstPoll(System.currentTimeMillis()),
                c.deadlineMs() > 0 ? c.deadlineMs() : Long.MAX_VALUE));
        runs.update(c.runId(), waiting(c.step(), request, id));
    }

    private void poll(Correlation c, long now) {
        try {
            StatementState state = client.describe(c.statementId());
            if (state.terminal()) {
                complete(c.statementName(), state, "poll");
                return;
            }
            Duration wait = Backoff.capped(config.pollInitial(), config.pollMax(), c.polls() + 1);
            long next = now + wait.toMillis();
            if (c.deadlineMs() > 0 && now >= c.deadlineMs()) {
                timeOut(c, state);
            } else if (c.deadlineMs() > 0) {
                next = Math.min(next, c.deadlineMs());
            }
            correlations.reschedule(c.statementName(), next, c.polls() + 1);
        } catch (RuntimeException e) {
            LOG.warnf("polling %s (%s) failed: %s", c.statementName(), c.statementId(), e.getMessage());
            correlations.reschedule(c.statementName(), now + config.pollMax().toMillis(), c.polls() + 1);
        }
    }

    /**
     * The step ran past its timeout: CancelStatement, and the step and run end TIMED_OUT (failure route, alert).
     * The statement's ABORTED completion is then applied once, to a run that has ended, and changes nothing.
     */
    private void timeOut(Correlation c, StatementState state) {
        CorrelationLifecycle.Transition t = CorrelationLifecycle.next(c.lifecycle(), new CorrelationLifecycle.DeadlinePassed(),
                config.submitAttempts());
        if (!t.actions().contains(CorrelationLifecycle.Action.CANCEL_STATEMENT)) {
            return;
        }
        Optional<Run> run = runs.find(c.runId());
        if (run.isEmpty() || run.get().status().terminal()) {
            return; // timed out (or ended) before: nothing more to do than wait for the statement's end
        }
        boolean cancelled = false;
        try {
            cancelled = client.cancel(c.statementId());
        } catch (RuntimeException e) {
            LOG.warnf("CancelStatement %s of timed-out step %s failed: %s", c.statementId(), c.step(), e.getMessage());
        }
        metrics.counter("shiftwork.statements.timed.out").increment();
        runner.timeOut(c.runId(), "step '" + c.step() + "' timed out after "
                + Duration.ofMillis(c.deadlineMs() - c.submittedAtMs()) + " (statement " + c.statementId() + " "
                + state.status() + (cancelled ? ", cancelled)" : ", could not be cancelled)"));
    }

    @jakarta.annotation.PreDestroy
    void stopPollers() {
        pollers.shutdownNow();
    }

    private String write(StatementRequest request) {
        try {
            return json.writeValueAsString(request);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
