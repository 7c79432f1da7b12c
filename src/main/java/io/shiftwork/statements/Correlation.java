package io.shiftwork.statements;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * A statement Shiftwork waits for, as kept in DynamoDB: which run and step it belongs to, how far it got
 * (SUBMITTING → WAITING → FINISHED | FAILED | ABORTED) and when to poll it next.
 */
@RegisterForReflection
public record Correlation(String statementName, String runId, String pipeline, String step, int stepIndex,
        String statementId, String status, long submittedAtMs, long nextPollAtMs, int polls, String requestJson) {

    public static final String SUBMITTING = "SUBMITTING";
    public static final String WAITING = "WAITING";
}
