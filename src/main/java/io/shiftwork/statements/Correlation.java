package io.shiftwork.statements;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * A statement Shiftwork waits for, as kept in DynamoDB: which run and step it belongs to, how far it got and when
 * to look at it next. SUBMITTING (recorded, not yet confirmed submitted) → WAITING → APPLYING (a completion was
 * claimed and is being applied to the run; {@code completion} holds it) → FINISHED | FAILED | ABORTED (applied).
 */
@RegisterForReflection
public record Correlation(String statementName, String runId, String pipeline, String step, int stepIndex,
        String statementId, String status, long submittedAtMs, long nextPollAtMs, int polls, String requestJson,
        StatementState completion) {

    public static final String SUBMITTING = "SUBMITTING";
    public static final String WAITING = "WAITING";
    public static final String APPLYING = "APPLYING";
}
