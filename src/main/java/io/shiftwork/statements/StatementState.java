package io.shiftwork.statements;

import java.util.List;

/**
 * What DescribeStatement (or a completion event) says of a statement; a batch's sub-statements (ids {@code <id>:1},
 * {@code <id>:2}, ... as AWS names them) with their own status, rows and error, null for a single statement.
 */
public record StatementState(String statementId, String status, long rows, String error, List<SubStatement> subStatements) {

    /** One statement of a BatchExecuteStatement as DescribeStatement's SubStatements report it. */
    public record SubStatement(String id, String status, long rows, String error) {
    }

    public StatementState(String statementId, String status, long rows, String error) {
        this(statementId, status, rows, error, null);
    }

    /**
     * Only FINISHED, FAILED and ABORTED end a statement; any other status — SUBMITTED, PICKED, STARTED, or one this
     * SDK does not know (UNKNOWN_TO_SDK_VERSION, kept as the service's string) — leaves it running until the step's
     * timeout.
     */
    public boolean terminal() {
        return "FINISHED".equals(status) || "FAILED".equals(status) || "ABORTED".equals(status);
    }
}
