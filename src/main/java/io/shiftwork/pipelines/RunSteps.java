package io.shiftwork.pipelines;

import java.time.Instant;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Named;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Records the steps of a run from a flow. YAML calls it as
 * {@code bean: {ref: runSteps, method: "begin(${header.shiftworkRunId}, 'load')"}}.
 */
@ApplicationScoped
@Named("runSteps")
@RegisterForReflection
public class RunSteps {

    private final RunStore store;

    public RunSteps(RunStore store) {
        this.store = store;
    }

    /** Starts a step (RUNNING) on the run. */
    public void begin(String runId, String step) {
        Instant now = Instant.now();
        store.update(runId, r -> r.withStep(Step.started(step, now)).withStatus(RunStatus.RUNNING));
    }

    /** Records a step that already ran, in one write: for flows that report many steps at once. */
    public void record(String runId, String step, Instant startedAt, RunStatus status, Object output,
            Map<String, String> awsIds, String error) {
        Instant now = Instant.now();
        Step done = new Step(step, status, startedAt, now, java.time.Duration.between(startedAt, now).toMillis(),
                awsIds, output, error);
        store.update(runId, r -> r.withStep(done));
    }

    /** Finishes a started step as SUCCEEDED, keeping the given output on it. */
    public void succeed(String runId, String step, Object output) {
        Instant now = Instant.now();
        store.update(runId, r -> r.updateStep(step, s -> s.finished(RunStatus.SUCCEEDED, now, output, null)));
    }

    /** Finishes a started step as FAILED with an error text. */
    public void fail(String runId, String step, String error) {
        Instant now = Instant.now();
        store.update(runId, r -> r.updateStep(step, s -> s.finished(RunStatus.FAILED, now, null, error)));
    }

    /** Attaches an AWS identifier (statementId, snapshotIdentifier, ...) to a started step. */
    public void awsId(String runId, String step, String key, String value) {
        store.update(runId, r -> r.updateStep(step, s -> s.withAwsId(key, value)));
    }

    /** Leaves the step and the run WAITING for an external completion. */
    public void await(String runId, String step) {
        store.update(runId, r -> r.updateStep(step, Step::waiting).withStatus(RunStatus.WAITING));
    }
}
