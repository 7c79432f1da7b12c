package io.shiftwork.pipelines;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** A run of a pipeline, as stored in DynamoDB and returned by the API. Immutable: changes make copies. */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Run(String runId, String pipeline, RunStatus status, String trigger, StartedBy startedBy,
        Map<String, Object> parameters,
        Instant createdAt, Instant updatedAt, Instant finishedAt, String error, List<Step> steps,
        Map<String, Object> context, long version) {

    public static Run started(String runId, String pipeline, StartedBy by, Map<String, Object> parameters,
            Instant at) {
        return new Run(runId, pipeline, RunStatus.RUNNING, by.trigger(), by, parameters, at, at, null, null, List.of(),
                Map.of(), 0);
    }

    /** A run that did not start because another run of its pipeline was still going (one at a time). */
    public static Run skipped(String runId, String pipeline, StartedBy by, Map<String, Object> parameters, Instant at,
            String reason) {
        return new Run(runId, pipeline, RunStatus.SKIPPED, by.trigger(), by, parameters, at, at, at, reason, List.of(),
                Map.of(), 0);
    }

    Run touched(Instant at) {
        return new Run(runId, pipeline, status, trigger, startedBy, parameters, createdAt, at, finishedAt, error, steps,
                context, version + 1);
    }

    public Run withStatus(RunStatus newStatus) {
        return new Run(runId, pipeline, newStatus, trigger, startedBy, parameters, createdAt, updatedAt, finishedAt, error,
                steps, context, version);
    }

    public Run finished(RunStatus outcome, Instant at, String err) {
        return new Run(runId, pipeline, outcome, trigger, startedBy, parameters, createdAt, updatedAt, at, err, steps, context,
                version);
    }

    /** Appends a step, or replaces the last step of the same name that has not finished. */
    public Run withStep(Step step) {
        List<Step> copy = new ArrayList<>(steps);
        int open = openStepIndex(step.name());
        if (open >= 0) {
            copy.set(open, step);
        } else {
            copy.add(step);
        }
        return new Run(runId, pipeline, status, trigger, startedBy, parameters, createdAt, updatedAt, finishedAt, error, copy,
                context, version);
    }

    /** Engine bookkeeping (the step sequence of a flow, ...), kept with the run so any replica can resume it. */
    public Run withContext(String key, Object value) {
        Map<String, Object> copy = new java.util.LinkedHashMap<>(context == null ? Map.of() : context);
        copy.put(key, value);
        return new Run(runId, pipeline, status, trigger, startedBy, parameters, createdAt, updatedAt, finishedAt, error, steps,
                copy, version);
    }

    /** Outputs of the finished steps by step name, merged over the run's parameters: what the next step sees. */
    public Map<String, Object> inputs() {
        Map<String, Object> in = new java.util.LinkedHashMap<>(parameters == null ? Map.of() : parameters);
        for (Step s : steps) {
            if (s.output() != null && s.status() == RunStatus.SUCCEEDED) {
                in.put(s.name(), s.output());
            }
        }
        return in;
    }

    /** True when the named step exists and has not finished. */
    public boolean stepOpen(String name) {
        Step s = step(name);
        return s != null && !s.status().terminal();
    }

    public Run updateStep(String name, UnaryOperator<Step> change) {
        int open = openStepIndex(name);
        if (open < 0) {
            throw new IllegalStateException("run " + runId + " has no unfinished step '" + name + "'");
        }
        return withStep(change.apply(steps.get(open)));
    }

    public Step step(String name) {
        for (int i = steps.size() - 1; i >= 0; i--) {
            if (steps.get(i).name().equals(name)) {
                return steps.get(i);
            }
        }
        return null;
    }

    private int openStepIndex(String name) {
        for (int i = steps.size() - 1; i >= 0; i--) {
            Step s = steps.get(i);
            if (s.name().equals(name) && !s.status().terminal()) {
                return i;
            }
        }
        return -1;
    }
}
