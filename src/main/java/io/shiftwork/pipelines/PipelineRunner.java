package io.shiftwork.pipelines;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
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
    private final jakarta.enterprise.event.Event<RunCancelled> cancelled;

    public PipelineRunner(PipelineCatalog catalog, RunStore store, ProducerTemplate camel, MeterRegistry metrics,
            ObjectMapper json, Alerts alerts, jakarta.enterprise.event.Event<RunCancelled> cancelled) {
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

    /** Validates, stores and starts a run; returns it as stored (RUNNING). */
    public Run start(String pipeline, JsonNode parameters, String trigger) {
        PipelineSpec spec = catalog.require(pipeline);
        Map<String, Object> params = ParameterValidator.validate(spec, parameters);
        return launch(spec, params, trigger);
    }

    /** Starts a run with parameters already checked (schedules and other flows). */
    public Run start(String pipeline, Map<String, Object> parameters, String trigger) {
        PipelineSpec spec = catalog.require(pipeline);
        JsonNode tree = json.valueToTree(parameters == null ? Map.of() : parameters);
        return launch(spec, ParameterValidator.validate(spec, tree), trigger);
    }

    private Run launch(PipelineSpec spec, Map<String, Object> params, String trigger) {
        Run run = Run.started(UUID.randomUUID().toString(), spec.name(), trigger, params, Instant.now());
        store.create(run);
        metrics.counter("shiftwork.pipeline.runs.started", "pipeline", spec.name()).increment();
        Map<String, Object> headers = new HashMap<>();
        headers.put(RUN_ID, run.runId());
        headers.put(PIPELINE, spec.name());
        headers.put(TRIGGER, trigger);
        camel.asyncSend(spec.entryUri(), exchange -> {
            exchange.getIn().setHeaders(headers);
            exchange.getIn().setBody(new HashMap<>(params));
        }).whenComplete((exchange, thrown) -> afterFlow(run.runId(), exchange, thrown));
        return run;
    }

    private void afterFlow(String runId, Exchange exchange, Throwable thrown) {
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
            Run failed = r;
            for (Step s : r.steps()) {
                if (!s.status().terminal()) {
                    failed = failed.withStep(s.finished(outcome, now, null, error));
                }
            }
            return failed.finished(outcome, now, error);
        });
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
