package io.shiftwork.statements;

/** What DescribeStatement (or a completion event) says of a statement. */
public record StatementState(String statementId, String status, long rows, String error) {

    public boolean terminal() {
        return "FINISHED".equals(status) || "FAILED".equals(status) || "ABORTED".equals(status);
    }
}
