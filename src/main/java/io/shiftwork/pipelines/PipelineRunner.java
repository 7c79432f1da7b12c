package io.shiftwork.pipelines;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Named;

import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Starts runs and records how they end. A run is stored before its flow starts, so nothing runs unrecorded;
 * the flow runs asynchronously on Camel and the run is finished when the flow returns, unless the flow left
 * it WAITING for an external completion (a Redshift statement, a cluster becoming available).
 */
@ApplicationScoped
@Named("pipelineRunner")
@RegisterForReflection
public class PipelineRunner {

    /** Header carrying the run id through a flow. */
    public static final String RUN_ID = "shiftworkRunId";
    /** Header carrying the pipeline name through a flow. */
    public static final String PIPELINE = "shiftworkPipeline";
    /** Header saying what started the run: http, schedule, ... */
    public static final String TRIGGER = "shiftworkTrigger";

    private static final Logger LOG = Logger.getLogger(PipelineRunner.class);

    private final PipelineCatalog catalog;
    private final RunStore store;
    private final ProducerTemplate camel;
    private final MeterRegistry metrics;
    private final ObjectMapper json;
    private final Alerts alerts;
    private final Leases leases;
    private final RunsConfig config;
    private final jakarta.enterprise.event.Event<RunCancelled> cancelled;
    private final InFlightRuns inFlight;

    public PipelineRunner(PipelineCatalog catalog, RunStore store, ProducerTemplate camel, MeterRegistry metrics,
            ObjectMapper json, Alerts alerts, Leases leases, RunsConfig config,
            jakarta.enterprise.event.Event<RunCancelled> cancelled, InFlightRuns inFlight) {
        this.inFlight = inFlight;
        this.leases = leases;
        this.config = config;
        this.cancelled = cancelled;
        this.catalog = catalog;
        this.store = store;
        this.camel = camel;
        this.metrics = metrics;
        this.json = json;
        this.alerts = alerts;
    }

    /** Run context key: a {@code direct:} route told once when the run fails (a flow's own failure message). */
    public static final String ON_FAILURE = "onFailure";

    /** Exchange property a flow sets when it finishes the run itself (a step sequence resumed by completions). */
    public static final String OWNS_RUN = "shiftworkOwnsRun";

    /** Validates, stores and starts a run; returns it as stored (RUNNING, or SKIPPED). */
    public Run start(String pipeline, JsonNode parameters, StartedBy by) {
        PipelineSpec spec = catalog.require(pipeline);
        return launch(spec, validate(spec, parameters, by), by, UUID.randomUUID().toString());
    }

    /** Starts a run with parameters from a schedule or another flow (checked all the same). */
    public Run start(String pipeline, Map<String, Object> parameters, StartedBy by) {
        PipelineSpec spec = catalog.require(pipeline);
        JsonNode tree = json.valueToTree(parameters == null ? Map.of() : parameters);
        return launch(spec, validate(spec, tree, by), by, UUID.randomUUID().toString());
    }

    /** A run the service starts by itself: trigger {@code schedule} or {@code event}. */
    public Run start(String pipeline, Map<String, Object> parameters, String trigger) {
        return start(pipeline, parameters, StartedBy.service(Trigger.of(trigger)));
    }

    /**
     * Writes a run of a record pipeline (cluster-pause, ...): what the service did, on a schedule or because an
     * operator asked ({@code by}). Record pipelines cannot be started any other way.
     */
    public Run record(String pipeline, Map<String, Object> parameters, StartedBy by) {
        PipelineSpec spec = catalog.require(pipeline);
        if (!spec.isRecord()) {
            throw new IllegalArgumentException("pipeline '" + pipeline + "' is not a record pipeline");
        }
        JsonNode tree = json.valueToTree(parameters == null ? Map.of() : parameters);
        return launch(spec, ParameterValidator.validate(spec, tree), by, UUID.randomUUID().toString());
    }

    /**
     * The trigger may start the pipeline (403 otherwise: a record pipeline, or a trigger it does not declare)
     * and the parameters are valid (400, or 403 outside an allowlist).
     *
     * @return the parameters with defaults filled in
     */
    public Map<String, Object> validate(PipelineSpec spec, JsonNode parameters, StartedBy by) {
        if (spec.isRecord()) {
            throw new ApiException(403, "not_startable", "pipeline '" + spec.name() + "' records what the service did "
                    + "(" + spec.description() + "); only the service writes its runs");
        }
        if (!spec.triggers().contains(by.triggerKind())) {
            throw new ApiException(403, "trigger_not_allowed", "pipeline '" + spec.name() + "' cannot be started by "
                    + by.trigger() + "; it may be started by: " + spec.triggers().stream().map(Trigger::id).sorted()
                            .collect(java.util.stream.Collectors.joining(", ")));
        }
        return ParameterValidator.validate(spec, parameters);
    }

    /**
     * Stores and starts a run of checked parameters under the given id. A pipeline that runs one at a time
     * takes its lock first: while another run holds it, an HTTP start is 409 naming that run and any other start
     * is stored SKIPPED.
     */
    Run launch(PipelineSpec spec, Map<String, Object> params, StartedBy by, String runId) {
        Instant now = Instant.now();
        String lock = spec.concurrency() == PipelineSpec.Concurrency.ONE_AT_A_TIME ? lockKey(spec.name()) : null;
        if (lock != null) {
            Optional<Run> running = takeLock(lock, runId);
            if (running.isPresent()) {
                Run other = running.get();
                String why = "pipeline '" + spec.name() + "' runs one at a time and run " + other.runId() + " is "
                        + other.status() + " since " + other.createdAt();
                if (by.triggerKind() == Trigger.HTTP) {
                    throw new ApiException(409, "run_in_progress", why, Map.of("runningRunId", other.runId()));
                }
                Run skipped = Run.skipped(runId, spec.name(), by, params, now, "skipped: " + why);
                store.create(skipped);
                metrics.counter("shiftwork.pipeline.runs", "pipeline", spec.name(), "status", RunStatus.SKIPPED.name())
                        .increment();
                LOG.infof("%s run %s skipped: run %s is still %s", spec.name(), runId, other.runId(), other.status());
                return skipped;
            }
        }
        Run run = Run.started(runId, spec.name(), by, params, now);
        try {
            store.create(run);
        } catch (RuntimeException e) {
            if (lock != null) {
                leases.release(lock, runId);
            }
            throw e;
        }
        metrics.counter("shiftwork.pipeline.runs.started", "pipeline", spec.name()).increment();
        Map<String, Object> headers = new HashMap<>();
        headers.put(RUN_ID, run.runId());
        headers.put(PIPELINE, spec.name());
        headers.put(TRIGGER, by.trigger());
        inFlight.enter(run.runId());
        camel.asyncSend(spec.entryUri(), exchange -> {
            exchange.getIn().setHeaders(headers);
            exchange.getIn().setBody(new HashMap<>(params));
        }).whenComplete((exchange, thrown) -> afterFlow(run.runId(), exchange, thrown));
        return run;
    }

    static String lockKey(String pipeline) {
        return "running/" + pipeline;
    }

    /** Empty when this run took the lock; else the run that holds it. A holder that finished is taken over. */
    private Optional<Run> takeLock(String lock, String runId) {
        for (int attempt = 0; attempt < 5; attempt++) {
            if (leases.acquire(lock, runId, config.lockTtl())) {
                return Optional.empty();
            }
            Optional<String> holder = leases.holder(lock);
            if (holder.isEmpty()) {
                continue; // released meanwhile
            }
            Optional<Run> held = store.find(holder.get());
            if (held.isEmpty()) {
                // taken an instant ago by a run not stored yet
                return Optional.of(new Run(holder.get(), null, RunStatus.RUNNING, null, null, Map.of(), Instant.now(),
                        null, null, null, java.util.List.of(), Map.of(), 0));
            }
            if (!held.get().status().terminal()) {
                return held;
            }
            // the run ended but its release was lost (a replica died): take the lock from it
            if (leases.takeOver(lock, holder.get(), runId, config.lockTtl())) {
                return Optional.empty();
            }
        }
        throw new IllegalStateException("the lock " + lock + " kept changing hands under 5 attempts to take it");
    }

    private void afterFlow(String runId, Exchange exchange, Throwable thrown) {
        inFlight.leave(runId);
        Throwable failure = thrown != null ? thrown : exchange == null ? null : exchange.getException();
        try {
            if (failure != null) {
                fail(runId, message(failure));
            } else if (exchange == null || !Boolean.TRUE.equals(exchange.getProperty(OWNS_RUN))) {
                finishIfRunning(runId);
            }
        } catch (RuntimeException e) {
            LOG.errorf(e, "could not record the end of run %s", runId);
        }
    }

    /** Marks a run SUCCEEDED unless its flow left it WAITING or already finished it. */
    public void finishIfRunning(String runId) {
        transition(runId, r -> r.status() == RunStatus.RUNNING ? r.finished(RunStatus.SUCCEEDED, Instant.now(), null) : r);
    }

    /** Marks a run and its unfinished steps FAILED with the given error; a finished run stays as it is. */
    public Run fail(String runId, String error) {
        return end(runId, RunStatus.FAILED, error);
    }

    /**
     * Like {@link #fail}, only if the stored run still satisfies {@code still} (decided on what is stored, so a
     * write that raced the caller's decision wins).
     */
    Run failIf(String runId, java.util.function.Predicate<Run> still, String error) {
        Instant now = Instant.now();
        return transition(runId, r -> r.status().terminal() || !still.test(r) ? r : failed(r, RunStatus.FAILED, now, error));
    }

    /** Like {@link #fail}, TIMED_OUT: a step ran past its timeout (failure route and alert as for FAILED). */
    public Run timeOut(String runId, String error) {
        return end(runId, RunStatus.TIMED_OUT, error);
    }

    private Run end(String runId, RunStatus outcome, String error) {
        Instant now = Instant.now();
        return transition(runId, r -> {
            if (r.status().terminal()) {
                return r;
            }
            return failed(r, outcome, now, error);
        });
    }

    private static Run failed(Run r, RunStatus outcome, Instant now, String error) {
        Run failed = r;
        for (Step s : r.steps()) {
            if (!s.status().terminal()) {
                failed = failed.withStep(s.finished(outcome, now, null, error));
            }
        }
        return failed.finished(outcome, now, error);
    }

    /**
     * Cancels a run that has not ended: the run and its open steps CANCELLED (no failure route, no alert), then
     * {@link RunCancelled} tells the capability whose work the open steps wait for (a statement is cancelled).
     *
     * @throws ApiException 404 no such run, 409 the run ended already (whatever ended it first wins)
     */
    public Run cancel(String runId) {
        Instant now = Instant.now();
        java.util.concurrent.atomic.AtomicReference<Run> from = new java.util.concurrent.atomic.AtomicReference<>();
        Run after = store.update(runId, r -> {
            if (r.status().terminal()) {
                from.set(null);
                return r;
            }
            from.set(r);
            Run c = r;
            for (Step s : r.steps()) {
                if (!s.status().terminal()) {
                    c = c.withStep(s.finished(RunStatus.CANCELLED, now, null, "cancelled"));
                }
            }
            return c.finished(RunStatus.CANCELLED, now, "cancelled by request");
        }).orElseThrow(() -> ApiException.notFound("no run with id '" + runId + "'"));
        if (from.get() == null) {
            throw new ApiException(409, "run_ended", "run " + runId + " ended " + after.status() + " already");
        }
        recordEnd(after);
        cancelled.fire(new RunCancelled(from.get(), after));
        return after;
    }

    /** Marks a WAITING or RUNNING run SUCCEEDED (flows that resume on an external completion). */
    public Run succeed(String runId) {
        return transition(runId, r -> r.status().terminal() ? r : r.finished(RunStatus.SUCCEEDED, Instant.now(), null));
    }

    /** Applies a change; the caller whose change finished the run records metrics and alerts, once. */
    private Run transition(String runId, java.util.function.UnaryOperator<Run> change) {
        java.util.concurrent.atomic.AtomicBoolean finishedHere = new java.util.concurrent.atomic.AtomicBoolean();
        Run after = store.update(runId, r -> {
            Run next = change.apply(r);
            finishedHere.set(!r.status().terminal() && next.status().terminal());
            return next;
        }).orElse(null);
        if (after != null && finishedHere.get()) {
            recordEnd(after);
        }
        return after;
    }

    private void recordEnd(Run run) {
        catalog.find(run.pipeline()).filter(spec -> spec.concurrency() == PipelineSpec.Concurrency.ONE_AT_A_TIME)
                .ifPresent(spec -> releaseLock(run));
        if (run.status() == RunStatus.FAILED || run.status() == RunStatus.TIMED_OUT) {
            alerts.runFailed(run);
            onFailure(run);
        }
        metrics.counter("shiftwork.pipeline.runs", "pipeline", run.pipeline(), "status", run.status().name())
                .increment();
        if (run.finishedAt() != null) {
            Timer.builder("shiftwork.pipeline.run.duration").tag("pipeline", run.pipeline())
                    .tag("status", run.status().name())
                    .register(metrics).record(Duration.between(run.createdAt(), run.finishedAt()));
        }
    }

    private void releaseLock(Run run) {
        try {
            leases.release(lockKey(run.pipeline()), run.runId());
        } catch (RuntimeException e) {
            // the next start takes the lock over from a finished run, or it expires
            LOG.warnf(e, "could not release the lock of run %s", run.runId());
        }
    }

    /** Tells the flow's own failure route (context {@code onFailure}), if it named one; never throws. */
    private void onFailure(Run run) {
        Object endpoint = run.context() == null ? null : run.context().get(ON_FAILURE);
        if (endpoint == null) {
            return;
        }
        try {
            Exchange done = camel.send(String.valueOf(endpoint), ex -> {
                ex.getIn().setHeader(RUN_ID, run.runId());
                ex.getIn().setHeader(PIPELINE, run.pipeline());
                ex.getIn().setBody(new HashMap<>(run.inputs()));
            });
            if (done.getException() != null) {
                LOG.errorf(done.getException(), "the failure route %s of run %s failed", endpoint, run.runId());
            }
        } catch (RuntimeException e) {
            LOG.errorf(e, "the failure route %s of run %s failed", endpoint, run.runId());
        }
    }

    /** Error text of a flow's exception, without Camel's wrapping. */
    public static String message(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root
                && (root instanceof org.apache.camel.CamelExecutionException || root.getMessage() == null)) {
            root = root.getCause();
        }
        String text = root.getMessage();
        return text == null || text.isBlank() ? root.getClass().getSimpleName() : text;
    }
}
