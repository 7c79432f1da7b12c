package io.shiftwork.statements;

import java.time.Instant;
import java.util.Arrays;
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
 * Runs a flow's steps in order — each a {@code direct:} route named in the flow's YAML — across waits: a step
 * that submits a statement stops the sequence, and the statement's completion resumes it at the next step, on
 * whichever replica applies the completion, also after a restart. The list of steps is kept with the run.
 */
@ApplicationScoped
@Named("stepSequence")
@RegisterForReflection
public class StepSequence {

    /**
     * Header (comma-separated or a list): the steps of a flow, in order. A step is a {@code direct:<name>} route,
     * or {@code sql:<file>}: the one statement in that file under {@code sql/}, its step named after the file.
     */
    public static final String STEPS = "shiftworkSteps";
    /** Header: a {@code direct:} route told when the run fails (a failure notification); kept with the run. */
    public static final String ON_FAILURE = "shiftworkOnFailure";
    /** Header: the name of the step running (its endpoint without {@code direct:}). */
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
    /** Step routes seen submitting a statement: under a claimed completion they run before the run is written. */
    private final java.util.Set<String> statementSteps = java.util.concurrent.ConcurrentHashMap.newKeySet();

    public StepSequence(RunStore runs, PipelineRunner runner, ProducerTemplate camel) {
        this.runs = runs;
        this.runner = runner;
        this.camel = camel;
    }

    /** Starts the sequence named by header {@code shiftworkSteps} for the run on the exchange. */
    public void start(Exchange exchange) {
        String runId = exchange.getIn().getHeader(PipelineRunner.RUN_ID, String.class);
        Object raw = exchange.getIn().getHeader(STEPS);
        List<String> steps = raw instanceof List<?> l ? l.stream().map(String::valueOf).map(String::trim).toList()
                : Arrays.stream(String.valueOf(raw).split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
        if (raw == null || steps.isEmpty()) {
            throw new IllegalArgumentException("the flow names no steps (header " + STEPS + ")");
        }
        java.util.Set<String> names = new java.util.HashSet<>();
        for (String step : steps) {
            if (!names.add(stepName(step))) {
                throw new IllegalArgumentException("the flow names step '" + stepName(step) + "' twice: step names must be unique");
            }
        }
        String onFailure = exchange.getIn().getHeader(ON_FAILURE, String.class);
        if (onFailure != null && !onFailure.startsWith("direct:")) {
            throw new IllegalArgumentException(ON_FAILURE + " must be a direct: route, got '" + onFailure + "'");
        }
        exchange.setProperty(PipelineRunner.OWNS_RUN, true);
        runs.update(runId, r -> {
            Run withSteps = r.withContext("steps", steps);
            return onFailure == null || onFailure.isBlank() ? withSteps : withSteps.withContext(PipelineRunner.ON_FAILURE, onFailure.trim());
        });
        advance(runId, 0);
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
    @SuppressWarnings("unchecked")
    public void advance(String runId, int from, UnaryOperator<Run> pending, boolean deferred) {
        UnaryOperator<Run> carry = pending;
        for (int i = from;; i++) {
            int index = i;
            UnaryOperator<Run> before = carry;
            Instant started = Instant.now();
            UnaryOperator<Run> start = r -> {
                Run x = before.apply(r);
                List<String> steps = (List<String>) x.context().get("steps");
                if (x.status().terminal() || index >= steps.size() || x.step(stepName(steps.get(index))) != null) {
                    return x;
                }
                return x.withStep(Step.started(stepName(steps.get(index)), started)).withStatus(RunStatus.RUNNING);
            };
            Run seen = deferred ? runs.find(runId).orElse(null) : null; // as stored: the inputs and status the step runs on
            List<String> flow = seen == null ? List.of() : (List<String>) seen.context().get("steps");
            // only a step known to submit a statement runs before the run is written: any other step may read the
            // run from the store and must find the steps before it recorded
            boolean defer = seen != null && index < flow.size() && submitsStatement(flow.get(index));
            Run run = defer ? start.apply(seen)
                    : runs.update(runId, start).orElseThrow(() -> new IllegalStateException("run " + runId + " is gone"));
            List<String> steps = (List<String>) run.context().get("steps");
            if (run.status().terminal() || index >= steps.size()) {
                if (defer) {
                    runs.update(runId, start);
                }
                if (!run.status().terminal()) {
                    runner.succeed(runId);
                }
                return;
            }
            String endpoint = steps.get(index);
            String name = stepName(endpoint);
            Map<String, Object> inputs = run.inputs();
            boolean sqlFile = endpoint.startsWith(SQL_STEP);
            Exchange result = camel.send(sqlFile ? "direct:redshift-statement" : endpoint, ex -> {
                if (sqlFile) {
                    ex.getIn().setHeader(StatementEngine.SQL_FILE, endpoint.substring(SQL_STEP.length()));
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
                statementSteps.add(endpoint);
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

    /** A {@code sql:} step, or a route this replica has seen submit a statement. */
    private boolean submitsStatement(String endpoint) {
        return endpoint.startsWith(SQL_STEP) || statementSteps.contains(endpoint);
    }

    /** The position of a step in the run's sequence, -1 if the run's flow has no such step. */
    @SuppressWarnings("unchecked")
    static int indexOf(Run run, String step) {
        Object steps = run.context().get("steps");
        if (steps instanceof List<?> l) {
            for (int i = 0; i < l.size(); i++) {
                if (stepName(String.valueOf(l.get(i))).equals(step)) {
                    return i;
                }
            }
        }
        return -1;
    }

    private static final String SQL_STEP = "sql:";

    static String stepName(String endpoint) {
        if (endpoint.startsWith(SQL_STEP)) {
            String file = endpoint.substring(SQL_STEP.length());
            String base = file.substring(file.lastIndexOf('/') + 1);
            if (!base.endsWith(".sql") || !base.substring(0, base.length() - 4).matches("[A-Za-z0-9_-]{1,100}")) {
                throw new IllegalArgumentException("step '" + endpoint + "' must be sql:<path>/<name>.sql with a name of "
                        + "letters, digits, '-' or '_'");
            }
            return base.substring(0, base.length() - 4);
        }
        String name = endpoint.startsWith("direct:") ? endpoint.substring("direct:".length()) : endpoint;
        if (!name.matches("[A-Za-z0-9_-]{1,100}")) {
            throw new IllegalArgumentException("step endpoint '" + endpoint + "' must be direct:<name> or sql:<file>.sql, "
                    + "with a name of letters, digits, '-' or '_'");
        }
        return name;
    }
}
