package io.shiftwork.statements;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Named;

import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;

import io.quarkus.runtime.annotations.RegisterForReflection;
import io.shiftwork.pipelines.PipelineRunner;
import io.shiftwork.pipelines.Run;
import io.shiftwork.pipelines.RunStatus;
import io.shiftwork.pipelines.RunStore;
import io.shiftwork.pipelines.Step;

/**
 * Runs a flow's steps in order across waits. Each step is declared in the flow's YAML by kind ({@link
 * StepDefinition}: sql, file, batch, route): a statement step stops the sequence, and the statement's completion
 * resumes it at the next step, on whichever replica applies the completion, also after a restart. The declared
 * steps are kept with the run.
 */
@ApplicationScoped
@Named("stepSequence")
@RegisterForReflection
public class StepSequence {

    /**
     * Header: the steps of a flow, in order — a YAML list of {@code {name, kind, sql | file | statements | route,
     * timeout, results}} (see {@link StepDefinition}), or the comma-separated {@code direct:<route>} /
     * {@code sql:<file>} form.
     */
    public static final String STEPS = "shiftworkSteps";
    /** Header: a {@code direct:} route told when the run fails (a failure notification); kept with the run. */
    public static final String ON_FAILURE = "shiftworkOnFailure";
    /** Header: the name of the step running. */
    public static final String STEP = "shiftworkStep";
    public static final String STEP_INDEX = "shiftworkStepIndex";
    /**
     * Exchange property ({@code UnaryOperator<Run>}): the run's change not yet written when a step runs under a
     * claimed completion; the statement engine writes it with the submitted statement and removes it.
     */
    public static final String PENDING = "shiftworkPendingRunChange";

    private final RunStore runs;
    private final PipelineRunner runner;
    private final ProducerTemplate camel;

    private final io.shiftwork.pipelines.InFlightRuns inFlight;

    public StepSequence(RunStore runs, PipelineRunner runner, ProducerTemplate camel, io.shiftwork.pipelines.InFlightRuns inFlight) {
        this.inFlight = inFlight;
        this.runs = runs;
        this.runner = runner;
        this.camel = camel;
    }

    /** Starts the sequence declared by header {@code shiftworkSteps} for the run on the exchange. */
    public void start(Exchange exchange) {
        String runId = exchange.getIn().getHeader(PipelineRunner.RUN_ID, String.class);
        List<StepDefinition> steps = StepDefinition.parseAll(exchange.getIn().getHeader(STEPS));
        String onFailure = exchange.getIn().getHeader(ON_FAILURE, String.class);
        if (onFailure != null && !onFailure.startsWith("direct:")) {
            throw new IllegalArgumentException(ON_FAILURE + " must be a direct: route, got '" + onFailure + "'");
        }
        exchange.setProperty(PipelineRunner.OWNS_RUN, true);
        List<Map<String, Object>> kept = steps.stream().map(StepDefinition::toMap).toList();
        runs.update(runId, r -> {
            Run withSteps = r.withContext("steps", kept);
            return onFailure == null || onFailure.isBlank() ? withSteps : withSteps.withContext(PipelineRunner.ON_FAILURE, onFailure.trim());
        });
        advance(runId, 0);
    }

    /** The steps kept with the run (an earlier run may hold them as {@code direct:}/{@code sql:} strings). */
    static List<StepDefinition> steps(Run run) {
        Object raw = run.context() == null ? null : run.context().get("steps");
        if (!(raw instanceof List<?> l)) {
            return List.of();
        }
        return l.stream().map(o -> o instanceof Map<?, ?> m ? StepDefinition.of(m) : StepDefinition.endpoint(String.valueOf(o)))
                .toList();
    }

    /** The declared step of the run at this position, null past the end. */
    static StepDefinition step(Run run, int index) {
        List<StepDefinition> steps = steps(run);
        return index >= 0 && index < steps.size() ? steps.get(index) : null;
    }

    /** Runs steps from {@code from} until one waits, one fails, or all are done. */
    public void advance(String runId, int from) {
        advance(runId, from, UnaryOperator.identity(), false);
    }

    /**
     * Like {@link #advance(String, int)}, writing {@code pending} (the end of the previous step) in the same
     * update that starts the next step. {@code deferred} (the caller holds a claimed completion, whose recovery
     * replays this): the run is not written before each step but once, when a step's statement has been submitted
     * (ExecuteStatement is then the first call after the claim) or the sequence fails or ends; a step that does not
     * wait is recorded with the next write, started and finished.
     */
    public void advance(String runId, int from, UnaryOperator<Run> pending, boolean deferred) {
        // working on the run: its heartbeat keeps the abandoned-run sweep of every replica away while steps run here
        inFlight.enter(runId);
        try {
            steps(runId, from, pending, deferred);
        } finally {
            inFlight.leave(runId);
        }
    }

    private void steps(String runId, int from, UnaryOperator<Run> pending, boolean deferred) {
        UnaryOperator<Run> carry = pending;
        for (int i = from;; i++) {
            int index = i;
            UnaryOperator<Run> before = carry;
            Instant started = Instant.now();
            UnaryOperator<Run> start = r -> {
                Run x = before.apply(r);
                StepDefinition def = step(x, index);
                if (x.status().terminal() || def == null || x.step(def.name()) != null) {
                    return x;
                }
                return x.withStep(Step.started(def.name(), started)).withStatus(RunStatus.RUNNING);
            };
            Run seen = deferred ? runs.find(runId).orElse(null) : null; // as stored: the inputs and status the step runs on
            StepDefinition declared = seen == null ? null : step(seen, index);
            // only a step declared to submit a statement runs before the run is written: any other step may read the
            // run from the store and must find the steps before it recorded
            boolean defer = declared != null && declared.submitsStatement();
            Run run = defer ? start.apply(seen)
                    : runs.update(runId, start).orElseThrow(() -> new IllegalStateException("run " + runId + " is gone"));
            StepDefinition def = step(run, index);
            if (run.status().terminal() || def == null) {
                if (defer) {
                    runs.update(runId, start);
                }
                if (!run.status().terminal()) {
                    runner.succeed(runId);
                }
                return;
            }
            String name = def.name();
            Map<String, Object> inputs = run.inputs();
            Exchange result = camel.send(def.submitsStatement() ? "direct:redshift-statement" : def.route(), ex -> {
                switch (def.kind()) {
                    case SQL -> ex.getIn().setHeader(StatementEngine.SQL, def.sql());
                    case FILE -> ex.getIn().setHeader(StatementEngine.SQL_FILE, def.file());
                    case BATCH -> ex.getIn().setHeader(StatementEngine.SQL_BATCH, def.statements());
                    case ROUTE -> {
                        // runs as declared
                    }
                }
                if (def.timeout() != null) {
                    ex.getIn().setHeader(StatementEngine.STEP_TIMEOUT, def.timeout());
                }
                ex.getIn().setHeader(PipelineRunner.RUN_ID, runId);
                ex.getIn().setHeader(PipelineRunner.PIPELINE, run.pipeline());
                ex.getIn().setHeader(STEP, name);
                ex.getIn().setHeader(STEP_INDEX, index);
                ex.getIn().setBody(new HashMap<>(inputs));
                if (defer) {
                    ex.setProperty(PENDING, start);
                }
            });
            boolean written = !defer || result.getProperty(PENDING) == null;
            if (result.getException() != null) {
                if (!written) {
                    runs.update(runId, start);
                }
                runner.fail(runId, "step '" + name + "': " + PipelineRunner.message(result.getException()));
                return;
            }
            if (Boolean.TRUE.equals(result.getProperty(StatementEngine.WAITING))) {
                if (!written) {
                    runs.update(runId, start);
                }
                return;
            }
            Object body = result.getMessage().getBody();
            Object output = body instanceof Map<?, ?> m && m.equals(inputs) ? null : body;
            UnaryOperator<Run> finish = r -> r.stepOpen(name)
                    ? r.updateStep(name, s -> s.finished(RunStatus.SUCCEEDED, Instant.now(), output, null)) : r;
            carry = written ? finish : r -> finish.apply(start.apply(r));
        }
    }

    /** The position of a step in the run's sequence, -1 if the run's flow has no such step. */
    static int indexOf(Run run, String step) {
        List<StepDefinition> steps = steps(run);
        for (int i = 0; i < steps.size(); i++) {
            if (steps.get(i).name().equals(step)) {
                return i;
            }
        }
        return -1;
    }

    /** The name of a step given as {@code direct:<route>} or {@code sql:<file>}. */
    static String stepName(String endpoint) {
        return StepDefinition.endpoint(endpoint).name();
    }
}
