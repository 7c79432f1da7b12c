package io.shiftwork.statements;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * A statement Shiftwork waits for, as kept in DynamoDB: which run and step it belongs to, how far it got and when
 * to look at it next. SUBMITTING (recorded, not yet confirmed submitted; {@code attempts}: submits whose outcome
 * was unknown) → WAITING → APPLYING (a completion was claimed and is being applied to the run; {@code completion}
 * holds it) → FINISHED | FAILED | ABORTED (applied); a submit refused for good goes SUBMITTING → FAILED. The
 * transitions are {@link CorrelationLifecycle#next}. {@code deadlineMs}: when the step times out (0: never).
 */
@RegisterForReflection
public record Correlation(String statementName, String runId, String pipeline, String step, int stepIndex,
        String statementId, String status, long submittedAtMs, long nextPollAtMs, int polls, int attempts,
        String requestJson, StatementState completion, long deadlineMs) {

    public static final String SUBMITTING = "SUBMITTING";
    public static final String WAITING = "WAITING";
    public static final String APPLYING = "APPLYING";
    public static final String FAILED = "FAILED";

    /** The state {@link CorrelationLifecycle#next} decides on. */
    public CorrelationLifecycle.State lifecycle() {
        return new CorrelationLifecycle.State(CorrelationLifecycle.Status.valueOf(status), statementId, attempts);
    }
}
